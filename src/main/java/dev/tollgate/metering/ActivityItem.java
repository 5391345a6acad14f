package dev.tollgate.metering;

import java.time.OffsetDateTime;
import java.util.UUID;

import org.jspecify.annotations.Nullable;

/**
 * One request-log row as the dashboard shows it. {@code costMicros} is what the tenant paid; tokens are null when the
 * call never produced any; {@code piiRedactions} counts the personal data the tenant's guardrails replaced.
 */
public record ActivityItem(String id, OffsetDateTime createdAt, String model, @Nullable String provider, UUID keyId,
        @Nullable String keyName, int status, boolean streamed, boolean cancelled, @Nullable String finishReason,
        @Nullable Integer promptTokens, @Nullable Integer completionTokens, @Nullable Integer cachedTokens,
        @Nullable Integer reasoningTokens, long costMicros, int latencyMs, @Nullable Integer ttfbMs,
        @Nullable Integer generationMs, @Nullable String errorCode, @Nullable String errorMessage, String usageSource,
        int piiRedactions) {

    ActivityItem withKeyName(@Nullable String name) {
        return new ActivityItem(id, createdAt, model, provider, keyId, name, status, streamed, cancelled, finishReason,
                promptTokens, completionTokens, cachedTokens, reasoningTokens, costMicros, latencyMs, ttfbMs,
                generationMs, errorCode, errorMessage, usageSource, piiRedactions);
    }

}
