@NullMarked
package dev.tollgate.proxy;

import org.jspecify.annotations.NullMarked;
