package dev.tollgate.ratelimit;

import org.jspecify.annotations.Nullable;

/**
 * The operator's choice for one tenant: a plan by name, explicit limits, or nothing (the default plan).
 *
 * @param plan the plan's name, or null
 * @param requestsPerMinute explicit requests per window when {@code explicit}; null for no limit
 * @param tokensPerMinute explicit tokens per window when {@code explicit}; null for no limit
 * @param explicit whether the limits are given here rather than by a plan
 */
record TenantRateLimit(@Nullable String plan, @Nullable Long requestsPerMinute, @Nullable Long tokensPerMinute,
        boolean explicit) {

    static final TenantRateLimit DEFAULT = new TenantRateLimit(null, null, null, false);

    static TenantRateLimit plan(String plan) {
        return new TenantRateLimit(plan, null, null, false);
    }

    static TenantRateLimit explicit(@Nullable Long requestsPerMinute, @Nullable Long tokensPerMinute) {
        return new TenantRateLimit(null, requestsPerMinute, tokensPerMinute, true);
    }

}
