@NullMarked
package dev.tollgate.metering;

import org.jspecify.annotations.NullMarked;
