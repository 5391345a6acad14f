package dev.tollgate.provider.anthropic;

import tools.jackson.databind.JsonNode;

import dev.tollgate.provider.TokenUsage;

/**
 * Anthropic's {@code usage}: {@code input_tokens} excludes the cache, which is reported apart as
 * {@code cache_read_input_tokens} and {@code cache_creation_input_tokens}. In OpenAI's accounting the prompt is all
 * three, the cached tokens are the cache reads and the cache-write tokens the cache creations.
 */
record AnthropicUsage(long input, long cacheRead, long cacheCreation, long output) {

    static final AnthropicUsage NONE = new AnthropicUsage(0, 0, 0, 0);

    static AnthropicUsage from(JsonNode usage) {
        return NONE.merge(usage);
    }

    /**
     * This usage updated with the counts another report carries. In a stream, {@code message_delta}'s usage is
     * cumulative (and may or may not repeat the input counts), so a present field replaces, never adds.
     */
    AnthropicUsage merge(JsonNode usage) {
        return new AnthropicUsage(count(usage, "input_tokens", input),
                count(usage, "cache_read_input_tokens", cacheRead),
                count(usage, "cache_creation_input_tokens", cacheCreation), count(usage, "output_tokens", output));
    }

    TokenUsage toTokenUsage() {
        return new TokenUsage(input + cacheRead + cacheCreation, output, cacheRead, cacheCreation, 0);
    }

    private static long count(JsonNode usage, String field, long otherwise) {
        JsonNode value = usage.path(field);
        return value.isNumber() ? Math.max(0, value.asLong()) : otherwise;
    }

}
