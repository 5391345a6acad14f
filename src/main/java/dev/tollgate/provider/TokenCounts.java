package dev.tollgate.provider;

import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;

/**
 * A token count as a provider reports it: a number, read as a whole count (a fraction cut, a negative 0). Jackson's
 * {@code asLong()} throws for a number beyond a long, which reached the client as a 500; no tokenizer produces such a
 * count, so it is the provider's answer that is broken, and charging for it would be charging for a broken answer.
 */
public final class TokenCounts {

    private TokenCounts() {
    }

    /**
     * @param otherwise what a value that is not a number counts as (missing, null, a string)
     * @throws UpstreamException 502 {@code upstream_malformed_response} for a number beyond a long
     */
    public static long of(JsonNode value, long otherwise, String provider) {
        if (!value.isNumber()) {
            return otherwise;
        }
        try {
            return Math.max(0, value.asLong());
        }
        catch (JacksonException beyondALong) {
            // canConvertToLong() would not do: it refuses 2.9 too, which asLong() reads as 2.
            throw UpstreamException.malformed(provider, "a token count beyond 64 bits");
        }
    }

}
