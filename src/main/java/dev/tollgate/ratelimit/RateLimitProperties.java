package dev.tollgate.ratelimit;

import java.time.Duration;
import java.util.Map;

import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Rate limits ({@code tollgate.ratelimit.*}). No limit applies unless one is configured: for a tenant through a plan
 * (the default plan, or one the operator chose) or explicit limits, for a key through its own settings.
 *
 * @param window the span the "per minute" limits are counted over; one minute, shorter only in tests
 * @param defaultPlan the plan of every tenant the operator has not placed elsewhere; none when empty
 * @param plans named tenant plans
 * @param refreshInterval how often tenants' settings are re-read, should the event announcing a change be lost
 * @param redis how this instance uses Redis, when {@code spring.data.redis.url} is set
 */
@ConfigurationProperties("tollgate.ratelimit")
public record RateLimitProperties(@DefaultValue("1m") Duration window, @Nullable String defaultPlan,
        @DefaultValue Map<String, Plan> plans, @DefaultValue("10s") Duration refreshInterval,
        @DefaultValue Redis redis) {

    public RateLimitProperties {
        if (window.isNegative() || window.isZero()) {
            throw new IllegalArgumentException("tollgate.ratelimit.window must be positive");
        }
        if (defaultPlan != null && defaultPlan.isBlank()) {
            defaultPlan = null;
        }
        if (defaultPlan != null && !plans.containsKey(defaultPlan)) {
            throw new IllegalArgumentException("tollgate.ratelimit.default-plan '" + defaultPlan
                    + "' is not one of tollgate.ratelimit.plans " + plans.keySet());
        }
        plans = Map.copyOf(plans);
    }

    /**
     * A tenant plan; a missing value means no limit of that kind.
     *
     * @param requestsPerMinute requests per window
     * @param tokensPerMinute prompt and completion tokens per window
     */
    public record Plan(@Nullable Long requestsPerMinute, @Nullable Long tokensPerMinute) {

        public Plan {
            if (requestsPerMinute != null && requestsPerMinute <= 0
                    || tokensPerMinute != null && tokensPerMinute <= 0) {
                throw new IllegalArgumentException("Plan limits must be positive (leave one out for no limit)");
            }
        }

        Limits limits() {
            return Limits.of(requestsPerMinute, tokensPerMinute);
        }

    }

    /**
     * @param timeout the longest a limit check waits for Redis before it is decided on this instance alone
     * @param retryInterval while Redis is unreachable, how often one request tries it again
     */
    public record Redis(@DefaultValue("500ms") Duration timeout, @DefaultValue("2s") Duration retryInterval) {
    }

}
