@NullMarked
package dev.tollgate.credits;

import org.jspecify.annotations.NullMarked;
