package dev.tollgate.metering;

import java.time.OffsetDateTime;

import org.jspecify.annotations.Nullable;

/**
 * A provider's price for one model from {@code effectiveFrom} on, in micro-dollars per million tokens. A missing
 * cached, cache-write, reasoning or audio-input price means that kind of token costs the plain input (or output) price.
 */
public record ModelPrice(long id, String modelId, long inputPerMtok, long outputPerMtok,
        @Nullable Long cachedInputPerMtok, @Nullable Long cacheWritePerMtok, @Nullable Long reasoningPerMtok,
        @Nullable Long audioInputPerMtok, OffsetDateTime effectiveFrom) {

    /** A price with no audio-input price of its own. */
    public ModelPrice(long id, String modelId, long inputPerMtok, long outputPerMtok,
            @Nullable Long cachedInputPerMtok, @Nullable Long cacheWritePerMtok, @Nullable Long reasoningPerMtok,
            OffsetDateTime effectiveFrom) {
        this(id, modelId, inputPerMtok, outputPerMtok, cachedInputPerMtok, cacheWritePerMtok, reasoningPerMtok, null,
                effectiveFrom);
    }

    /**
     * The dearest price an operator may set, $3,000 per million tokens (forty times the dearest in the seeded catalog,
     * Claude Opus 4.1's $75 of output): a call's cost is computed in pico-dollars in a long, and a provider counts at
     * most {@link dev.tollgate.provider.TokenCounts#MAX} prompt and as many output tokens, so 2 × 10⁹ tokens at this
     * price (6 × 10¹⁸ pico-dollars) stay below 2⁶³.
     */
    public static final long MAX_PER_MTOK = 3_000_000_000L;
}
