package dev.tollgate.ratelimit;

import java.util.List;

/**
 * A limiter's answer for one request over several scopes, all or nothing.
 *
 * @param allowed whether the request fitted every scope (and was counted in all of them)
 * @param levels per scope, in the order asked: the levels after counting the request when allowed, the levels it
 *     found when not
 * @param countedBy the limiter that holds the count, which is the one to correct it later (Redis, or this
 *     instance's memory during an outage)
 */
record Verdict(boolean allowed, List<Levels> levels, RateLimiter countedBy) {
}
