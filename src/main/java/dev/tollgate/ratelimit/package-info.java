/**
 * Rate limits: requests and tokens per minute, per API key and per tenant, in memory on one instance or shared by
 * every replica through Redis. {@link dev.tollgate.ratelimit.RateLimitService} is the feature's facade.
 */
@NullMarked
package dev.tollgate.ratelimit;

import org.jspecify.annotations.NullMarked;
