package dev.tollgate.metering;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

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
    private final Map<String, Map<String, ModelMeters>> byModel = new ConcurrentHashMap<>();
    private final Map<String, ProviderTimers> byProvider = new ConcurrentHashMap<>();
    private final Map<String, Counter> refusals = new ConcurrentHashMap<>();

    UsageMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    void record(UsageRecord record) {
        String provider = record.provider() == null ? "none" : record.provider();
        String model = record.model().isEmpty() ? "none" : record.model();
        ModelMeters meters = byModel.computeIfAbsent(model, unused -> new ConcurrentHashMap<>())
            .computeIfAbsent(provider, unused -> new ModelMeters(model, provider));
        meters.requests(record.status(), record.streamed()).increment();
        if (record.usage().totalTokens() > 0) {
            meters.tokensIn().increment(record.usage().promptTokens());
            meters.tokensOut().increment(record.usage().completionTokens());
        }
        if (record.chargeMicros() > 0 || record.costMicros() > 0) {
            meters.cost().increment(record.costMicros());
            meters.revenue().increment(record.chargeMicros());
        }
        String refusal = refusal(record.errorCode());
        if (refusal != null) {
            refusals.computeIfAbsent(refusal, reason -> Counter.builder("tollgate.refused")
                .description("Calls refused before reaching a provider (402 credits, 429 rate limits)")
                .tag("reason", reason)
                .register(registry))
                .increment();
        }
        if (record.provider() != null && (record.ttfbMillis() != null || record.generationMillis() != null)) {
            ProviderTimers timers = byProvider.computeIfAbsent(provider, ProviderTimers::new);
            if (record.ttfbMillis() != null) {
                timers.firstToken.record(record.ttfbMillis(), TimeUnit.MILLISECONDS);
            }
            if (record.generationMillis() != null) {
                timers.generation.record(record.generationMillis(), TimeUnit.MILLISECONDS);
            }
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

    /**
     * The meters of one model on one provider, each registered when first needed (a model that never produced a
     * token exports no token series). Looked up by two map reads of strings whose hashes are already known, rather
     * than by a key concatenated on every call.
     */
    private final class ModelMeters {

        private final String model;
        private final String provider;
        private final Map<Integer, Counter> requests = new ConcurrentHashMap<>();
        private volatile @Nullable Counter tokensIn;
        private volatile @Nullable Counter tokensOut;
        private volatile @Nullable Counter cost;
        private volatile @Nullable Counter revenue;

        ModelMeters(String model, String provider) {
            this.model = model;
            this.provider = provider;
        }

        Counter requests(int status, boolean streamed) {
            return requests.computeIfAbsent(status * 2 + (streamed ? 1 : 0), unused -> Counter
                .builder("tollgate.requests").description("Proxied calls").tag("model", model)
                .tag("provider", provider).tag("status", Integer.toString(status))
                .tag("streamed", Boolean.toString(streamed))
                .register(registry));
        }

        // Registering an existing meter returns it, so two calls racing to create one end up with the same meter.

        Counter tokensIn() {
            Counter counter = tokensIn;
            return counter != null ? counter : (tokensIn = tokens("in"));
        }

        Counter tokensOut() {
            Counter counter = tokensOut;
            return counter != null ? counter : (tokensOut = tokens("out"));
        }

        Counter cost() {
            Counter counter = cost;
            return counter != null ? counter : (cost = money("tollgate.cost.micros",
                    "What providers charge the operator, in micro-dollars"));
        }

        Counter revenue() {
            Counter counter = revenue;
            return counter != null ? counter : (revenue = money("tollgate.revenue.micros",
                    "What tenants paid, in micro-dollars (margin = revenue - cost)"));
        }

        private Counter tokens(String direction) {
            return Counter.builder("tollgate.tokens").description("Tokens billed").tag("model", model)
                .tag("provider", provider).tag("direction", direction)
                .register(registry);
        }

        private Counter money(String name, String description) {
            return Counter.builder(name).description(description).tag("model", model).tag("provider", provider)
                .register(registry);
        }

    }

    private final class ProviderTimers {

        private final Timer firstToken;
        private final Timer generation;

        ProviderTimers(String provider) {
            this.firstToken = timer("tollgate.upstream.first.token", "Time until the provider's first byte", provider);
            this.generation = timer("tollgate.upstream.generation", "Time from the provider's first byte to the end",
                    provider);
        }

        private Timer timer(String name, String description, String provider) {
            return Timer.builder(name).description(description)
                .tag("provider", provider)
                .serviceLevelObjectives(LATENCY_BUCKETS)
                .register(registry);
        }

    }

}
