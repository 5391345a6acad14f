package dev.tollgate.ratelimit;

import org.jspecify.annotations.Nullable;

/**
 * The limits that apply to an API key, as OpenRouter's {@code GET /v1/key} describes them in {@code rate_limit}
 * ({@code {"requests": 60, "interval": "60s"}}), with the token limit beside them.
 *
 * @param requests the most requests per interval (the tighter of the key's and its tenant's), or null for none
 * @param tokens the most tokens per interval, or null for none
 * @param interval the interval, e.g. {@code 60s}
 */
public record RateLimitSummary(@Nullable Long requests, @Nullable Long tokens, String interval) {
}
