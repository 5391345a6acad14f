package dev.tollgate.metering;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

import org.jspecify.annotations.Nullable;

import dev.tollgate.provider.TokenUsage;

/**
 * Everything known about one proxied call when it has ended, one per request whatever the outcome: its request-log
 * row and, when it cost anything, its usage debit.
 *
 * @param id the generation id
 * @param status the HTTP status the client got (200 for a stream that started, even if it broke later)
 * @param errorCode the error code when the call failed or a stream broke, else null
 * @param ttfbMillis time until the provider's first byte, or null when none came
 * @param priceId the price row in force at admission, or null when the call never got that far
 * @param costMicros what the provider charges the operator
 * @param chargeMicros what the tenant pays (debited from its credits)
 * @param leaseId the credit lease the charge came out of, shrunk by the same amount as the balance
 * @param traceId the W3C trace id of the call, when it has one
 * @param attempts every provider attempt, retries and fallbacks included, in order
 * @param piiRedactions how many pieces of personal data the tenant's guardrails replaced in the prompt
 * @param persisted called once the record is in the database
 */
public record UsageRecord(UUID id, UUID tenantId, UUID apiKeyId, String model, @Nullable String provider, int status,
        @Nullable String errorCode, @Nullable String errorMessage, boolean streamed, boolean cancelled,
        @Nullable String finishReason, TokenUsage usage, UsageSource usageSource, int latencyMillis,
        @Nullable Integer ttfbMillis, @Nullable Integer generationMillis, @Nullable Long priceId,
        @Nullable Long markupPpm, long costMicros, long chargeMicros, @Nullable UUID leaseId, Instant createdAt,
        @Nullable String traceId, List<AttemptRecord> attempts, int piiRedactions, Runnable persisted) {
}
