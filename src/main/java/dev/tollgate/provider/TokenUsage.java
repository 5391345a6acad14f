package dev.tollgate.provider;

/**
 * Token counts of one call in OpenAI's accounting, whatever the provider reported them as:
 * {@code promptTokens} includes the cached and cache-written input tokens, {@code completionTokens} includes the
 * reasoning tokens. Each adapter converts its provider's numbers into this shape (see its decoder).
 *
 * @param hourCacheWriteTokens those of the cache-write tokens written to a one-hour cache (Anthropic's
 *     {@code "ttl":"1h"}), which cost more than the five-minute writes the model's cache-write price is for
 * @param audioPromptTokens those of the prompt tokens, neither cached nor cache-written, that were audio (Gemini
 *     counts them apart), which some models price above text
 * @param cachedAudioTokens those of the cached tokens that were audio, priced above cached text in the same ratio
 * @param audioCompletionTokens those of the completion tokens that were audio (an OpenAI audio model answering with
 *     speech), which cost several times text output
 */
public record TokenUsage(long promptTokens, long completionTokens, long cachedTokens, long cacheWriteTokens,
        long reasoningTokens, long hourCacheWriteTokens, long audioPromptTokens, long cachedAudioTokens,
        long audioCompletionTokens) {

    public static final TokenUsage NONE = new TokenUsage(0, 0, 0, 0, 0);

    public TokenUsage {
        if (promptTokens < 0 || completionTokens < 0 || cachedTokens < 0 || cacheWriteTokens < 0
                || reasoningTokens < 0 || hourCacheWriteTokens < 0 || audioPromptTokens < 0 || cachedAudioTokens < 0
                || audioCompletionTokens < 0) {
            throw new IllegalArgumentException("Token counts cannot be negative");
        }
    }

    /** Counts with no audio in the answer. */
    public TokenUsage(long promptTokens, long completionTokens, long cachedTokens, long cacheWriteTokens,
            long reasoningTokens, long hourCacheWriteTokens, long audioPromptTokens, long cachedAudioTokens) {
        this(promptTokens, completionTokens, cachedTokens, cacheWriteTokens, reasoningTokens, hourCacheWriteTokens,
                audioPromptTokens, cachedAudioTokens, 0);
    }

    /** Counts with no audio in the prompt nor in the answer. */
    public TokenUsage(long promptTokens, long completionTokens, long cachedTokens, long cacheWriteTokens,
            long reasoningTokens, long hourCacheWriteTokens) {
        this(promptTokens, completionTokens, cachedTokens, cacheWriteTokens, reasoningTokens, hourCacheWriteTokens, 0,
                0, 0);
    }

    /** Counts with no audio in the prompt, whose cache writes, if any, are all five-minute ones. */
    public TokenUsage(long promptTokens, long completionTokens, long cachedTokens, long cacheWriteTokens,
            long reasoningTokens) {
        this(promptTokens, completionTokens, cachedTokens, cacheWriteTokens, reasoningTokens, 0, 0, 0, 0);
    }

    public static TokenUsage of(long promptTokens, long completionTokens) {
        return new TokenUsage(promptTokens, completionTokens, 0, 0, 0);
    }

    public long totalTokens() {
        return promptTokens + completionTokens;
    }

}
