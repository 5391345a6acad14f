package dev.tollgate.provider.gemini;

import java.util.List;

import org.jspecify.annotations.Nullable;

import dev.tollgate.provider.TokenCounts;
import dev.tollgate.provider.TokenUsage;

/**
 * Gemini's {@code usageMetadata} in Tollgate's (OpenAI's) accounting. Gemini counts thoughts apart from the answer
 * ({@code totalTokenCount = prompt + candidates + thoughts}), while OpenAI's completion tokens include the reasoning
 * tokens: so completion = candidates + thoughts, reasoning = thoughts. The cached tokens are part of
 * {@code promptTokenCount} already, as in OpenAI's accounting. Tokens of built-in tool results
 * ({@code toolUsePromptTokenCount}) are input and count as prompt. The prompt's audio tokens
 * ({@code promptTokensDetails}) are counted apart, those the cache served ({@code cacheTokensDetails}) among the cached
 * ones: audio input costs more than text on Flash models, cached or not.
 */
final class GeminiUsage {

    private GeminiUsage() {
    }

    /** @throws dev.tollgate.provider.UpstreamException 502 for a count or a sum above {@link TokenCounts#MAX} */
    static TokenUsage from(GeminiResponse.UsageMetadata usage, String provider) {
        long thoughts = count(usage.thoughtsTokenCount(), provider);
        long cachedAudio = audio(usage.cacheTokensDetails(), provider);
        long audio = Math.max(0, audio(usage.promptTokensDetails(), provider) - cachedAudio);
        return new TokenUsage(TokenCounts.total(provider, count(usage.promptTokenCount(), provider),
                count(usage.toolUsePromptTokenCount(), provider)),
                TokenCounts.total(provider, count(usage.candidatesTokenCount(), provider), thoughts),
                count(usage.cachedContentTokenCount(), provider), 0, thoughts, 0, audio, cachedAudio);
    }

    private static long audio(@Nullable List<GeminiResponse.ModalityTokenCount> details, String provider) {
        long audio = 0;
        for (GeminiResponse.ModalityTokenCount detail : GeminiResponse.present(details)) {
            if ("AUDIO".equals(detail.modality())) {
                audio = TokenCounts.total(provider, audio, count(detail.tokenCount(), provider));
            }
        }
        return audio;
    }

    private static long count(@Nullable Long value, String provider) {
        return value == null ? 0 : TokenCounts.checked(value, provider);
    }

}
