@NullMarked
package dev.tollgate.routing;

import org.jspecify.annotations.NullMarked;
