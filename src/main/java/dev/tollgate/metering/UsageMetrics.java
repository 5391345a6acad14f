package dev.tollgate.metering;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import org.jspecify.annotations.Nullable;
import org.springframework.stereotype.Component;

/**
 * Prometheus metrics of the calls themselves, fed once per request from its usage record: requests by model,
 * provider and status; tokens in and out; provider cost and tenant revenue (so margin is revenue − cost); refusals
 * (402, 429); provider latency and time to first token as histograms. Meters are looked up in small maps rather than
 * built per request.
 */
@Component
class UsageMetrics {

    private static final Duration[] LATENCY_BUCKETS = { Duration.ofMillis(50), Duration.ofMillis(100),
        Duration.ofMillis(250), Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofSeconds(2),
        Duration.ofSeconds(5), Duration.ofSeconds(10), Duration.ofSeconds(30), Duration.ofSeconds(60) };

    private final MeterRegistry registry;
    private final Map<String, Counter> counters = new ConcurrentHashMap<>();
    private final Map<String, Timer> timers = new ConcurrentHashMap<>();

    UsageMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    void record(UsageRecord record) {
        String provider = record.provider() == null ? "none" : record.provider();
        String model = record.model().isEmpty() ? "none" : record.model();
        String status = Integer.toString(record.status());
        String streamed = Boolean.toString(record.streamed());
        counter("requests|" + model + '|' + provider + '|' + status + '|' + streamed,
                () -> Counter.builder("tollgate.requests").description("Proxied calls").tag("model", model)
                    .tag("provider", provider).tag("status", status).tag("streamed", streamed))
            .increment();
        if (record.usage().totalTokens() > 0) {
            counter("tokens-in|" + model + '|' + provider, () -> Counter.builder("tollgate.tokens")
                .description("Tokens billed").tag("model", model).tag("provider", provider).tag("direction", "in"))
                .increment(record.usage().promptTokens());
            counter("tokens-out|" + model + '|' + provider, () -> Counter.builder("tollgate.tokens")
                .description("Tokens billed").tag("model", model).tag("provider", provider).tag("direction", "out"))
                .increment(record.usage().completionTokens());
        }
        if (record.chargeMicros() > 0 || record.costMicros() > 0) {
            counter("cost|" + model + '|' + provider, () -> Counter.builder("tollgate.cost.micros")
                .description("What providers charge the operator, in micro-dollars").tag("model", model)
                .tag("provider", provider))
                .increment(record.costMicros());
            counter("revenue|" + model + '|' + provider, () -> Counter.builder("tollgate.revenue.micros")
                .description("What tenants paid, in micro-dollars (margin = revenue - cost)").tag("model", model)
                .tag("provider", provider))
                .increment(record.chargeMicros());
        }
        String refusal = refusal(record.errorCode());
        if (refusal != null) {
            counter("refused|" + refusal, () -> Counter.builder("tollgate.refused")
                .description("Calls refused before reaching a provider (402 credits, 429 rate limits)")
                .tag("reason", refusal))
                .increment();
        }
        if (record.ttfbMillis() != null && record.provider() != null) {
            timer("tollgate.upstream.first.token", "Time until the provider's first byte", provider)
                .record(record.ttfbMillis(), TimeUnit.MILLISECONDS);
        }
        if (record.generationMillis() != null && record.provider() != null) {
            timer("tollgate.upstream.generation", "Time from the provider's first byte to the end", provider)
                .record(record.generationMillis(), TimeUnit.MILLISECONDS);
        }
    }

    private static @Nullable String refusal(@Nullable String errorCode) {
        if (errorCode == null) {
            return null;
        }
        return switch (errorCode) {
            case "insufficient_credits", "key_limit_reached", "rate_limit_exceeded" -> errorCode;
            default -> null;
        };
    }

    private Counter counter(String key, Supplier<Counter.Builder> builder) {
        return counters.computeIfAbsent(key, unused -> builder.get().register(registry));
    }

    private Timer timer(String name, String description, String provider) {
        return timers.computeIfAbsent(name + '|' + provider, key -> Timer.builder(name).description(description)
            .tag("provider", provider)
            .serviceLevelObjectives(LATENCY_BUCKETS)
            .register(registry));
    }

}
