package dev.tollgate.metering;

import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

import dev.tollgate.provider.TokenUsage;

import static org.assertj.core.api.Assertions.assertThat;

class UsageMetricsTests {

    final SimpleMeterRegistry registry = new SimpleMeterRegistry();

    final UsageMetrics metrics = new UsageMetrics(registry);

    @Test
    void eachCallCountsUnderItsModelProviderStatusAndStreaming() {
        metrics.record(record("openai/gpt-4o", "openai", 200, false, null, new TokenUsage(10, 4, 0, 0, 0), 30, 70));
        metrics.record(record("openai/gpt-4o", "openai", 200, false, null, new TokenUsage(5, 1, 0, 0, 0), 3, 7));
        metrics.record(record("openai/gpt-4o", "openai", 200, true, null, new TokenUsage(1, 1, 0, 0, 0), 0, 0));
        metrics.record(record("openai/gpt-4o", "azure", 502, false, "upstream_error", TokenUsage.NONE, 0, 0));
        metrics.record(record("anthropic/claude", "anthropic", 200, false, null, new TokenUsage(2, 2, 0, 0, 0), 1,
                2));

        assertThat(requests("openai/gpt-4o", "openai", "200", "false")).isEqualTo(2);
        assertThat(requests("openai/gpt-4o", "openai", "200", "true")).isEqualTo(1);
        assertThat(requests("openai/gpt-4o", "azure", "502", "false")).isEqualTo(1);
        assertThat(requests("anthropic/claude", "anthropic", "200", "false")).isEqualTo(1);
        assertThat(tokens("openai/gpt-4o", "openai", "in")).isEqualTo(16);
        assertThat(tokens("openai/gpt-4o", "openai", "out")).isEqualTo(6);
        assertThat(tokens("anthropic/claude", "anthropic", "in")).isEqualTo(2);
        assertThat(counter("tollgate.cost.micros", "openai/gpt-4o", "openai")).isEqualTo(33);
        assertThat(counter("tollgate.revenue.micros", "openai/gpt-4o", "openai")).isEqualTo(77);
        assertThat(counter("tollgate.revenue.micros", "anthropic/claude", "anthropic")).isEqualTo(2);
        // A call that used nothing and cost nothing exports no token or money series for its route.
        assertThat(registry.find("tollgate.tokens").tag("provider", "azure").counter()).isNull();
        assertThat(registry.find("tollgate.cost.micros").tag("provider", "azure").counter()).isNull();
    }

    @Test
    void refusalsCountByReasonAndCallsWithoutAProviderUnderNone() {
        metrics.record(record("", null, 402, false, "insufficient_credits", TokenUsage.NONE, 0, 0));
        metrics.record(record("openai/gpt-4o", null, 429, false, "rate_limit_exceeded", TokenUsage.NONE, 0, 0));
        metrics.record(record("openai/gpt-4o", null, 429, false, "rate_limit_exceeded", TokenUsage.NONE, 0, 0));
        metrics.record(record("openai/gpt-4o", null, 400, false, "invalid_request_error", TokenUsage.NONE, 0, 0));

        assertThat(registry.get("tollgate.refused").tag("reason", "insufficient_credits").counter().count())
            .isEqualTo(1);
        assertThat(registry.get("tollgate.refused").tag("reason", "rate_limit_exceeded").counter().count())
            .isEqualTo(2);
        assertThat(registry.find("tollgate.refused").tag("reason", "invalid_request_error").counter()).isNull();
        assertThat(requests("none", "none", "402", "false")).isEqualTo(1);
        assertThat(requests("openai/gpt-4o", "none", "429", "false")).isEqualTo(2);
        assertThat(registry.find("tollgate.upstream.first.token").timer()).isNull();
    }

    @Test
    void providerTimesGoToTheirProvidersHistograms() {
        metrics.record(record("openai/gpt-4o", "openai", 200, false, null, new TokenUsage(1, 1, 0, 0, 0), 0, 0));
        metrics.record(record("openai/gpt-4o", "openai", 200, false, null, new TokenUsage(1, 1, 0, 0, 0), 0, 0));

        assertThat(registry.get("tollgate.upstream.first.token").tag("provider", "openai").timer().count())
            .isEqualTo(2);
        assertThat(registry.get("tollgate.upstream.first.token").tag("provider", "openai").timer()
            .totalTime(TimeUnit.MILLISECONDS)).isEqualTo(2 * FIRST_BYTE_MILLIS);
        assertThat(registry.get("tollgate.upstream.generation").tag("provider", "openai").timer()
            .totalTime(TimeUnit.MILLISECONDS)).isEqualTo(2 * GENERATION_MILLIS);
    }

    private static final int FIRST_BYTE_MILLIS = 120;

    private static final int GENERATION_MILLIS = 800;

    private double requests(String model, String provider, String status, String streamed) {
        return registry.get("tollgate.requests").tag("model", model).tag("provider", provider).tag("status", status)
            .tag("streamed", streamed).counter().count();
    }

    private double tokens(String model, String provider, String direction) {
        return registry.get("tollgate.tokens").tag("model", model).tag("provider", provider)
            .tag("direction", direction).counter().count();
    }

    private double counter(String name, String model, String provider) {
        return registry.get(name).tag("model", model).tag("provider", provider).counter().count();
    }

    private static UsageRecord record(String model, @Nullable String provider, int status, boolean streamed,
            @Nullable String errorCode, TokenUsage usage, long cost, long charge) {
        Integer firstByte = provider == null ? null : FIRST_BYTE_MILLIS;
        Integer generation = provider == null ? null : GENERATION_MILLIS;
        return new UsageRecord(GenerationIds.next(), UUID.randomUUID(), UUID.randomUUID(), model, provider, status,
                errorCode, null, streamed, false, null, usage, UsageSource.UPSTREAM, 1000, firstByte, generation,
                null, null, cost, charge, null, Instant.now(), null, List.of(), 0, () -> { });
    }

}
