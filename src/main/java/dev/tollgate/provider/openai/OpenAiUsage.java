package dev.tollgate.provider.openai;

import tools.jackson.databind.JsonNode;

import dev.tollgate.provider.TokenUsage;

/** Reads OpenAI's {@code usage} object, which is already in Tollgate's accounting (prompt includes cached). */
final class OpenAiUsage {

    private OpenAiUsage() {
    }

    static TokenUsage from(JsonNode usage) {
        return new TokenUsage(count(usage.path("prompt_tokens")), count(usage.path("completion_tokens")),
                count(usage.path("prompt_tokens_details").path("cached_tokens")), 0,
                count(usage.path("completion_tokens_details").path("reasoning_tokens")));
    }

    private static long count(JsonNode node) {
        return node.isNumber() ? Math.max(0, node.asLong()) : 0;
    }

}
