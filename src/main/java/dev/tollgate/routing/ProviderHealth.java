package dev.tollgate.routing;

import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.stereotype.Component;

/**
 * What routing knows about each provider's health: a circuit breaker (resilience4j: opens when the recent failure rate
 * is too high, lets a few probes through after a while, closes when they succeed) and moving averages of time to first
 * byte and of output speed, for {@code sort: "latency"} and {@code "throughput"}.
 */
@Component
public class ProviderHealth {

    private static final double SMOOTHING = 0.2;

    /** Longer than any call lives, so that no call that succeeds ever counts as slow. */
    private static final Duration NEVER_SLOW = Duration.ofDays(365);

    private final CircuitBreakerRegistry breakers;
    /**
     * The registry's breakers by provider, looked up twice a call (ranking, then the attempt): the registry's own
     * lookup fetches its default configuration from a map on every call before finding the breaker (0.6% of the CPU at
     * 500 requests/s). Breakers are never removed, so a breaker found once stays the one.
     */
    private final Map<String, CircuitBreaker> byProvider = new ConcurrentHashMap<>();
    private final Map<String, Averages> averages = new ConcurrentHashMap<>();

    ProviderHealth(RoutingProperties properties, MeterRegistry registry) {
        RoutingProperties.Breaker breaker = properties.breaker();
        this.breakers = CircuitBreakerRegistry.of(CircuitBreakerConfig.custom()
            .failureRateThreshold(breaker.failureRatePercent())
            .slidingWindowType(CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
            .slidingWindowSize(breaker.window())
            .minimumNumberOfCalls(breaker.minimumCalls())
            .waitDurationInOpenState(breaker.openFor())
            .permittedNumberOfCallsInHalfOpenState(breaker.probes())
            // Only faults open a breaker. resilience4j would also open it when every call took over 60 s, which is
            // how long a reasoning model's whole answer can take: a healthy provider taken out of service.
            .slowCallDurationThreshold(NEVER_SLOW)
            // An open breaker turns half-open by itself (resilience4j's scheduler thread) so that its route is
            // offered the probe calls again, instead of waiting for a call that ranking would never send it.
            .automaticTransitionFromOpenToHalfOpenEnabled(true)
            .build());
        // One gauge per provider and state, 1 for the state it is in: tollgate_provider_breaker_state.
        breakers.getEventPublisher().onEntryAdded(added -> {
            CircuitBreaker created = added.getAddedEntry();
            if (!breaker.enabled()) {
                created.transitionToDisabledState();
            }
            for (CircuitBreaker.State state : CircuitBreaker.State.values()) {
                Gauge.builder("tollgate.provider.breaker.state", created, b -> b.getState() == state ? 1 : 0)
                    .description("Whether the provider's circuit breaker is in this state")
                    .tag("provider", created.getName())
                    .tag("state", state.name().toLowerCase(Locale.ROOT))
                    .register(registry);
            }
        });
    }

    public CircuitBreaker breaker(String provider) {
        CircuitBreaker breaker = byProvider.get(provider);
        if (breaker == null) {
            breaker = byProvider.computeIfAbsent(provider, breakers::circuitBreaker);
        }
        return breaker;
    }

    /** The registry, for metrics. */
    public CircuitBreakerRegistry breakers() {
        return breakers;
    }

    /**
     * 0 for a route that may be called (a closed breaker, or a half-open one, which needs its probe calls), 1 for an
     * open breaker: open routes are tried last, and then only to fail fast.
     */
    int rank(String provider) {
        return switch (breaker(provider).getState()) {
            case CLOSED, DISABLED, METRICS_ONLY, HALF_OPEN -> 0;
            default -> 1;
        };
    }

    /** Records a successful call's time to first byte. */
    public void observed(String provider, Duration timeToFirstByte) {
        Averages provided = averages(provider);
        provided.latencyMillis = smooth(provided.latencyMillis, timeToFirstByte.toMillis());
    }

    /** Records a finished answer's output speed: its output tokens over the time the provider took to write them. */
    public void generated(String provider, long outputTokens, Duration generation) {
        long micros = TimeUnit.NANOSECONDS.toMicros(generation.toNanos());
        if (outputTokens > 0 && micros > 0) {
            Averages provided = averages(provider);
            provided.tokensPerSecond = smooth(provided.tokensPerSecond, outputTokens * 1_000_000.0 / micros);
        }
    }

    private Averages averages(String provider) {
        Averages provided = averages.get(provider);
        return provided != null ? provided : averages.computeIfAbsent(provider, name -> new Averages());
    }

    /** The smoothed time to first byte in milliseconds, or NaN when nothing was observed yet. */
    double latencyMillis(String provider) {
        Averages provided = averages.get(provider);
        return provided == null ? Double.NaN : provided.latencyMillis;
    }

    /** The smoothed output tokens per second, or NaN when nothing was observed yet. */
    double tokensPerSecond(String provider) {
        Averages provided = averages.get(provider);
        return provided == null ? Double.NaN : provided.tokensPerSecond;
    }

    static long nanosToMillis(long nanos) {
        return TimeUnit.NANOSECONDS.toMillis(nanos);
    }

    private static double smooth(double current, double sample) {
        return Double.isNaN(current) ? sample : current + SMOOTHING * (sample - current);
    }

    private static final class Averages {

        volatile double latencyMillis = Double.NaN;
        volatile double tokensPerSecond = Double.NaN;

    }

}
