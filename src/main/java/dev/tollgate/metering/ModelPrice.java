package dev.tollgate.metering;

import java.time.OffsetDateTime;

import org.jspecify.annotations.Nullable;

/**
 * A provider's price for one model from {@code effectiveFrom} on, in micro-dollars per million tokens. A missing
 * cached, cache-write, reasoning, audio-input or audio-output price means that kind of token costs the plain input (or
 * output) price.
 *
 * @param longContext dearer prices for a call whose prompt is longer than a threshold (Gemini 2.5 Pro above 200K
 *     tokens), or null
 */
public record ModelPrice(long id, String modelId, long inputPerMtok, long outputPerMtok,
        @Nullable Long cachedInputPerMtok, @Nullable Long cacheWritePerMtok, @Nullable Long reasoningPerMtok,
        @Nullable Long audioInputPerMtok, @Nullable Long audioOutputPerMtok, @Nullable LongContext longContext,
        OffsetDateTime effectiveFrom) {

    /** A price with no audio-output price of its own. */
    public ModelPrice(long id, String modelId, long inputPerMtok, long outputPerMtok,
            @Nullable Long cachedInputPerMtok, @Nullable Long cacheWritePerMtok, @Nullable Long reasoningPerMtok,
            @Nullable Long audioInputPerMtok, @Nullable LongContext longContext, OffsetDateTime effectiveFrom) {
        this(id, modelId, inputPerMtok, outputPerMtok, cachedInputPerMtok, cacheWritePerMtok, reasoningPerMtok,
                audioInputPerMtok, null, longContext, effectiveFrom);
    }

    /** A price with no audio-input price of its own. */
    public ModelPrice(long id, String modelId, long inputPerMtok, long outputPerMtok,
            @Nullable Long cachedInputPerMtok, @Nullable Long cacheWritePerMtok, @Nullable Long reasoningPerMtok,
            OffsetDateTime effectiveFrom) {
        this(id, modelId, inputPerMtok, outputPerMtok, cachedInputPerMtok, cacheWritePerMtok, reasoningPerMtok, null,
                null, null, effectiveFrom);
    }

    /** A price with one price whatever the prompt's length. */
    public ModelPrice(long id, String modelId, long inputPerMtok, long outputPerMtok,
            @Nullable Long cachedInputPerMtok, @Nullable Long cacheWritePerMtok, @Nullable Long reasoningPerMtok,
            @Nullable Long audioInputPerMtok, OffsetDateTime effectiveFrom) {
        this(id, modelId, inputPerMtok, outputPerMtok, cachedInputPerMtok, cacheWritePerMtok, reasoningPerMtok,
                audioInputPerMtok, null, null, effectiveFrom);
    }

    /**
     * The prices a call with a prompt of {@code promptTokens} is billed at: the long-context ones above the threshold,
     * where every input-side price (cached, cache-write, audio) moves with the input price and every output-side one
     * (reasoning, audio) with the output price, as Google's do.
     */
    public ModelPrice forPrompt(long promptTokens) {
        LongContext tier = longContext;
        return tier == null || promptTokens <= tier.aboveTokens() ? this
                : rescaled(tier.inputPerMtok(), tier.outputPerMtok(), null);
    }

    /** These prices with the input and output prices given, the others keeping their ratios to those. */
    ModelPrice rescaled(long input, long output, @Nullable LongContext tier) {
        return new ModelPrice(id, modelId, input, output, scaled(cachedInputPerMtok, inputPerMtok, input),
                scaled(cacheWritePerMtok, inputPerMtok, input), scaled(reasoningPerMtok, outputPerMtok, output),
                scaled(audioInputPerMtok, inputPerMtok, input), scaled(audioOutputPerMtok, outputPerMtok, output), tier,
                effectiveFrom);
    }

    /**
     * {@code rate} as a share of {@code base}, applied to {@code newBase}, to the nearest micro-dollar, and at most
     * the dearest price there may be (a rate ten times its base on a dear host would pass it, and a call's cost in
     * pico-dollars would no longer fit a long).
     */
    static @Nullable Long scaled(@Nullable Long rate, long base, long newBase) {
        if (rate == null || base == 0) {
            return null;
        }
        // Prices are at most MAX_PER_MTOK (3 × 10⁹): the product stays below 2⁶³.
        return Math.min(Math.floorDiv(Math.addExact(Math.multiplyExact(rate, newBase), base / 2), base), MAX_PER_MTOK);
    }

    /**
     * Prices for prompts longer than {@code aboveTokens}, the whole call billed at them.
     */
    public record LongContext(long aboveTokens, long inputPerMtok, long outputPerMtok) {
    }

    /**
     * The dearest price an operator may set, $3,000 per million tokens (forty times the dearest in the seeded catalog,
     * Claude Opus 4.1's $75 of output): a call's cost is computed in pico-dollars in a long, and a provider counts at
     * most {@link dev.tollgate.provider.TokenCounts#MAX} prompt and as many output tokens, so 2 × 10⁹ tokens at this
     * price (6 × 10¹⁸ pico-dollars) stay below 2⁶³.
     */
    public static final long MAX_PER_MTOK = 3_000_000_000L;
}
