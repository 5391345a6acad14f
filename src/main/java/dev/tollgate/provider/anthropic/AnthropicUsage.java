package dev.tollgate.provider.anthropic;

import tools.jackson.databind.JsonNode;

import dev.tollgate.provider.TokenCounts;
import dev.tollgate.provider.TokenUsage;

/**
 * Anthropic's {@code usage}: {@code input_tokens} excludes the cache, which is reported apart as
 * {@code cache_read_input_tokens} and {@code cache_creation_input_tokens}. In OpenAI's accounting the prompt is all
 * three, the cached tokens are the cache reads and the cache-write tokens the cache creations. Of those,
 * {@code cache_creation.ephemeral_1h_input_tokens} went to a one-hour cache, which Anthropic bills at twice the input
 * price where a five-minute write costs 1.25 times it.
 */
record AnthropicUsage(long input, long cacheRead, long cacheCreation, long output, long hourCacheCreation) {

    static final AnthropicUsage NONE = new AnthropicUsage(0, 0, 0, 0, 0);

    static AnthropicUsage from(JsonNode usage, String provider) {
        return NONE.merge(usage, provider);
    }

    /**
     * This usage updated with the counts another report carries. In a stream, {@code message_delta}'s usage is
     * cumulative (and may or may not repeat the input counts), so a present field replaces, never adds; nor does it
     * lower a count: servers speaking Anthropic's format have sent {@code "input_tokens": 0} in their last report,
     * which would have billed the prompt as nothing.
     *
     * @throws dev.tollgate.provider.UpstreamException 502 for a count above {@link TokenCounts#MAX}, or a prompt
     *     (input, cache reads and cache writes together) above it
     */
    AnthropicUsage merge(JsonNode usage, String provider) {
        AnthropicUsage merged = new AnthropicUsage(later(usage.path("input_tokens"), input, provider),
                later(usage.path("cache_read_input_tokens"), cacheRead, provider),
                later(usage.path("cache_creation_input_tokens"), cacheCreation, provider),
                later(usage.path("output_tokens"), output, provider),
                later(usage.path("cache_creation").path("ephemeral_1h_input_tokens"), hourCacheCreation, provider));
        TokenCounts.total(provider, merged.input, merged.cacheRead, merged.cacheCreation);
        return merged;
    }

    private static long later(JsonNode count, long earlier, String provider) {
        return Math.max(earlier, TokenCounts.of(count, earlier, provider));
    }

    TokenUsage toTokenUsage() {
        return new TokenUsage(input + cacheRead + cacheCreation, output, cacheRead, cacheCreation, 0,
                Math.min(hourCacheCreation, cacheCreation));
    }

}
