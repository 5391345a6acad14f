package dev.tollgate.provider;

import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;

/**
 * A token count as a provider reports it: a number, read as a whole count (a fraction cut, a negative 0), at most
 * {@link #MAX}. A larger one is a broken answer, not a bill: Jackson's {@code asLong()} threw for one beyond a long
 * (a 500), and one just below overflowed the price's arithmetic after the answer (a 500, or a stream cut with its
 * usage never written).
 */
public final class TokenCounts {

    /**
     * A billion tokens in one count: a hundred times the largest context window. {@code PriceQuote} splits a call's
     * prompt and completion among their kinds (cached, reasoning…), so at most twice this many tokens are priced, and
     * at the dearest price an operator may set ({@code ModelPrice.MAX_PER_MTOK}) they still fit the pico-dollars it
     * computes in.
     */
    public static final long MAX = 1_000_000_000L;

    private TokenCounts() {
    }

    /**
     * @param otherwise what a value that is not a number counts as (missing, null, a string)
     * @throws UpstreamException 502 {@code upstream_malformed_response} for a number above {@link #MAX}
     */
    public static long of(JsonNode value, long otherwise, String provider) {
        if (!value.isNumber()) {
            return otherwise;
        }
        try {
            return checked(value.asLong(), provider);
        }
        catch (JacksonException beyondALong) {
            // canConvertToLong() would not do: it refuses 2.9 too, which asLong() reads as 2.
            throw tooLarge(provider);
        }
    }

    /** A count already read as a number: a negative is 0, one above {@link #MAX} a broken answer. */
    public static long checked(long count, String provider) {
        if (count > MAX) {
            throw tooLarge(provider);
        }
        return Math.max(0, count);
    }

    /**
     * A count a provider reports in parts (Anthropic's prompt is its input, cache reads and cache writes; Gemini's
     * completion its candidates and thoughts), each already {@link #checked}: the whole is held to {@link #MAX} too,
     * since it is the whole that is priced and logged.
     *
     * @throws UpstreamException 502 {@code upstream_malformed_response} for a total above {@link #MAX}
     */
    public static long total(String provider, long... parts) {
        long total = 0;
        for (long part : parts) {
            // Each part is at most MAX, so no sum of a few of them overflows on the way.
            total += checked(part, provider);
        }
        return checked(total, provider);
    }

    private static UpstreamException tooLarge(String provider) {
        return UpstreamException.malformed(provider, "a token count above " + MAX);
    }

}
