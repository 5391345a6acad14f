package dev.tollgate.account;

import java.time.OffsetDateTime;
import java.util.UUID;

import org.jspecify.annotations.Nullable;

/** An API key as listed to its tenant: never the key itself, only its display prefix. */
public record ApiKeyView(UUID id, String name, String prefix, @Nullable Long creditLimitMicros,
        OffsetDateTime createdAt, @Nullable OffsetDateTime lastUsedAt, long usageMicros,
        @Nullable KeyRateLimit rateLimit) {

    ApiKeyView(UUID id, String name, String prefix, @Nullable Long creditLimitMicros, OffsetDateTime createdAt,
            @Nullable OffsetDateTime lastUsedAt, @Nullable KeyRateLimit rateLimit) {
        this(id, name, prefix, creditLimitMicros, createdAt, lastUsedAt, 0, rateLimit);
    }

    ApiKeyView withUsage(long usageMicros) {
        return new ApiKeyView(id, name, prefix, creditLimitMicros, createdAt, lastUsedAt, usageMicros, rateLimit);
    }

}
