package dev.tollgate.metering;

import java.time.Instant;
import java.util.UUID;

import org.jspecify.annotations.Nullable;

import dev.tollgate.provider.TokenUsage;

/**
 * Everything known about one proxied call when it has ended, one per request whatever the outcome.
 *
 * @param id the generation id
 * @param status the HTTP status the client got (200 for a stream that started, even if it broke later)
 * @param errorCode the error code when the call failed or a stream broke, else null
 * @param ttfbMillis time until the provider's first byte, or null when none came
 */
public record RequestLogEntry(UUID id, UUID tenantId, UUID apiKeyId, String model, @Nullable String provider,
        int status, @Nullable String errorCode, boolean streamed, boolean cancelled, @Nullable String finishReason,
        TokenUsage usage, UsageSource usageSource, int latencyMillis, @Nullable Integer ttfbMillis,
        Instant createdAt) {
}
