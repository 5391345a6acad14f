@NullMarked
package dev.tollgate.common;

import org.jspecify.annotations.NullMarked;
