package dev.tollgate.account;

import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

import dev.tollgate.common.ApiException;
import dev.tollgate.common.JsonNumbers;

/**
 * An API key's own rate limits, set by its tenant ({@code "rateLimit"} on key create and update); a missing value
 * means no limit of that kind on the key (its tenant's limits apply regardless).
 *
 * @param requestsPerMinute requests per minute
 * @param tokensPerMinute prompt and completion tokens per minute
 */
public record KeyRateLimit(@Nullable Long requestsPerMinute, @Nullable Long tokensPerMinute) {

    static final long MAX = 1_000_000_000_000L;

    /** The limits, or null when neither is set. */
    static @Nullable KeyRateLimit of(@Nullable Long requestsPerMinute, @Nullable Long tokensPerMinute) {
        return requestsPerMinute == null && tokensPerMinute == null ? null
                : new KeyRateLimit(requestsPerMinute, tokensPerMinute);
    }

    /**
     * Reads {@code {"requestsPerMinute":N,"tokensPerMinute":N}} (either may be null or left out); JSON null means no
     * limits.
     * @throws ApiException 400 naming the bad field
     */
    static @Nullable KeyRateLimit fromJson(@Nullable JsonNode json) {
        if (json == null || json.isNull() || json.isMissingNode()) {
            return null;
        }
        if (!json.isObject()) {
            throw ApiException.invalidParam("rateLimit",
                    "rateLimit must be an object {\"requestsPerMinute\",\"tokensPerMinute\"} or null.");
        }
        return of(limit(json, "requestsPerMinute"), limit(json, "tokensPerMinute"));
    }

    private static @Nullable Long limit(JsonNode json, String field) {
        JsonNode value = json.path(field);
        if (value.isMissingNode() || value.isNull()) {
            return null;
        }
        if (!JsonNumbers.isWholeNumberIn(value, 1, MAX)) {
            throw ApiException.invalidParam("rateLimit." + field, "rateLimit." + field
                    + " must be a whole number from 1 to " + MAX + ", or null for no limit.");
        }
        return value.asLong();
    }

}
