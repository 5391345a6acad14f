package dev.tollgate.routing;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * How Tollgate retries and falls back.
 *
 * @param attemptsPerRoute how many times one provider route is tried before the next one (1 = no retry)
 * @param backoff the first retry's wait; each next one doubles, with full jitter, up to {@code maxBackoff}
 * @param maxRetryAfter a provider's {@code Retry-After} up to this long is waited for on the same route; a longer one
 *     moves on to the next route
 * @param breaker when a provider's circuit breaker opens and how it probes again
 */
@ConfigurationProperties("tollgate.routing")
public record RoutingProperties(@DefaultValue("2") int attemptsPerRoute, @DefaultValue("200ms") Duration backoff,
        @DefaultValue("2s") Duration maxBackoff, @DefaultValue("10s") Duration maxRetryAfter,
        @DefaultValue Breaker breaker) {

    /**
     * @param enabled whether providers get circuit breakers at all
     * @param failureRatePercent the failure rate over the last {@code window} calls that opens the breaker
     * @param window how many recent calls the failure rate is computed over
     * @param minimumCalls how many calls the window needs before the rate counts
     * @param openFor how long an open breaker refuses calls before letting probes through (half-open)
     * @param probes how many calls a half-open breaker lets through to decide
     */
    public record Breaker(@DefaultValue("true") boolean enabled, @DefaultValue("50") float failureRatePercent, @DefaultValue("20") int window,
            @DefaultValue("5") int minimumCalls, @DefaultValue("30s") Duration openFor, @DefaultValue("3") int probes) {
    }

}
