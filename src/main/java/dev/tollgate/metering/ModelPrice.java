package dev.tollgate.metering;

import java.time.OffsetDateTime;

import org.jspecify.annotations.Nullable;

/**
 * A provider's price for one model from {@code effectiveFrom} on, in micro-dollars per million tokens. A missing
 * cached, cache-write or reasoning price means that kind of token costs the plain input (or output) price.
 */
public record ModelPrice(long id, String modelId, long inputPerMtok, long outputPerMtok,
        @Nullable Long cachedInputPerMtok, @Nullable Long cacheWritePerMtok, @Nullable Long reasoningPerMtok,
        OffsetDateTime effectiveFrom) {
}
