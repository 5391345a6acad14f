@NullMarked
package dev.tollgate.database;

import org.jspecify.annotations.NullMarked;
