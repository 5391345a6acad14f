package dev.tollgate.account;

import java.time.OffsetDateTime;
import java.util.UUID;

import org.jspecify.annotations.Nullable;

/** The answer to creating a key: the only time the key itself is ever shown. */
public record CreatedApiKey(UUID id, String name, String key, String prefix, @Nullable Long creditLimitMicros,
        OffsetDateTime createdAt, @Nullable KeyRateLimit rateLimit) {
}
