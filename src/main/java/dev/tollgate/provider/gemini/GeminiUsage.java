package dev.tollgate.provider.gemini;

import org.jspecify.annotations.Nullable;

import dev.tollgate.provider.TokenUsage;

/**
 * Gemini's {@code usageMetadata} in Tollgate's (OpenAI's) accounting. Gemini counts thoughts apart from the answer
 * ({@code totalTokenCount = prompt + candidates + thoughts}), while OpenAI's completion tokens include the reasoning
 * tokens: so completion = candidates + thoughts, reasoning = thoughts. The cached tokens are part of
 * {@code promptTokenCount} already, as in OpenAI's accounting. Tokens of built-in tool results
 * ({@code toolUsePromptTokenCount}) are input and count as prompt.
 */
final class GeminiUsage {

    private GeminiUsage() {
    }

    static TokenUsage from(GeminiResponse.UsageMetadata usage) {
        long thoughts = count(usage.thoughtsTokenCount());
        return new TokenUsage(count(usage.promptTokenCount()) + count(usage.toolUsePromptTokenCount()),
                count(usage.candidatesTokenCount()) + thoughts, count(usage.cachedContentTokenCount()), 0, thoughts);
    }

    private static long count(@Nullable Long value) {
        return value == null ? 0 : Math.max(0, value);
    }

}
