/**
 * The response cache: whole chat answers kept per tenant for the calls that ask for them, so that asking again costs
 * no provider call and no credits.
 */
@NullMarked
package dev.tollgate.cache;

import org.jspecify.annotations.NullMarked;
