@NullMarked
package dev.tollgate.provider;

import org.jspecify.annotations.NullMarked;
