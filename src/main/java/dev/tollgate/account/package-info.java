@NullMarked
package dev.tollgate.account;

import org.jspecify.annotations.NullMarked;
