package dev.tollgate.proxy;

import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import tools.jackson.databind.JsonNode;

import dev.tollgate.metering.PromptEstimator;
import dev.tollgate.metering.TokenCounter;
import dev.tollgate.metering.UsageSource;
import dev.tollgate.provider.ChatCompletion;
import dev.tollgate.provider.ChatStreamEvent;
import dev.tollgate.provider.TokenUsage;

/**
 * What one call is billed for: the provider's usage report when it settles the bill, else Tollgate's own count of the
 * prompt and of the text the client received (a stream cut short, a provider that reports no usage), at least what
 * the provider last reported. Counting is made off the event loops: the delivered text's segments on the threads that
 * count them, the rest and the prompt on {@code boundedElastic} (the tokenizer takes about 2 ms per 16 KB).
 */
final class UsageCount {

    private final TokenCounter tokens;
    private final DeliveredText delivered;
    private volatile @Nullable JsonNode prompt;
    /** The prompt's token count once counted, -1 before. */
    private volatile long promptTokenCount = -1;
    /** The usage counted for the client's final usage report, billed if the call then completes. */
    private volatile @Nullable Billed countedOnCompletion;

    UsageCount(TokenCounter tokens) {
        this.tokens = tokens;
        this.delivered = new DeliveredText(tokens);
    }

    /** The request the call was admitted with (again after a fallback to another model). */
    void prompt(JsonNode prompt) {
        this.prompt = prompt;
        this.promptTokenCount = -1;
    }

    /** Notes the text of a whole answer that is about to reach the client. */
    void observeDelivery(ChatCompletion completion) {
        String text = completion.relayedText();
        if (text != null) {
            delivered.addAnswer(text);
        }
        else {
            delivered.addAnswer(completion.body().path("choices"));
        }
    }

    /** Notes the text of a chunk that is about to reach the client. */
    void observeDelivery(ChatStreamEvent.Chunk chunk) {
        String text = chunk.relayedText();
        if (text != null) {
            delivered.add(text);
        }
        else {
            delivered.add(chunk.chunk().path("choices"));
        }
    }

    /** Whether a call is billed for the provider's own usage report, without any counting of Tollgate's. */
    static boolean byProvider(@Nullable TokenUsage reported, boolean completed) {
        return completed && reported != null && reported.totalTokens() > 0;
    }

    /** The usage billed if the call ends now (completed, or cut short), given the provider's last report. */
    Mono<Billed> billed(@Nullable TokenUsage reported, boolean completed) {
        if (byProvider(reported, completed)) {
            return Mono.just(Billed.reported(reported));
        }
        Billed shown = countedOnCompletion;
        if (completed && shown != null) {
            return Mono.just(shown);
        }
        return Mono.defer(() -> Mono.fromFuture(delivered.tokens()))
            .map(deliveredTokens -> counted(reported, deliveredTokens))
            // What the client was shown is what it is billed, and the count is not made twice.
            .doOnNext(counted -> {
                if (completed) {
                    countedOnCompletion = counted;
                }
            })
            .subscribeOn(Schedulers.boundedElastic());
    }

    private Billed counted(@Nullable TokenUsage reported, long deliveredTokens) {
        // Cut short, or the provider never reported: bill at least what the client demonstrably received.
        boolean promptReported = reported != null && reported.promptTokens() > 0;
        long promptTokens = promptReported ? reported.promptTokens() : promptTokens();
        if (reported != null && reported.completionTokens() >= deliveredTokens) {
            // The provider's output count; the prompt's too, unless it gave none (an embedding server without usage).
            return new Billed(new TokenUsage(promptTokens, reported.completionTokens(), reported.cachedTokens(),
                    reported.cacheWriteTokens(), reported.reasoningTokens(), reported.hourCacheWriteTokens(),
                    reported.audioPromptTokens(), reported.cachedAudioTokens(), reported.audioCompletionTokens()),
                    promptReported ? UsageSource.UPSTREAM : UsageSource.TOKENIZER);
        }
        return new Billed(reported == null ? TokenUsage.of(promptTokens, deliveredTokens)
                : new TokenUsage(promptTokens, deliveredTokens, reported.cachedTokens(), reported.cacheWriteTokens(),
                        0, reported.hourCacheWriteTokens(), reported.audioPromptTokens(),
                        reported.cachedAudioTokens(), reported.audioCompletionTokens()), UsageSource.TOKENIZER);
    }

    /** Counted once: both what the client is shown and what is billed may need it. */
    private long promptTokens() {
        long counted = promptTokenCount;
        if (counted < 0) {
            JsonNode request = prompt;
            counted = request == null ? 0
                    : tokens.count(PromptEstimator.promptText(request)) + PromptEstimator.promptOverheadTokens(request);
            promptTokenCount = counted;
        }
        return counted;
    }

    /** The usage a call is billed for, and where the count came from. */
    record Billed(TokenUsage usage, UsageSource source) {

        static final Billed NOTHING = new Billed(TokenUsage.NONE, UsageSource.NONE);

        /** The provider's report, or nothing when it made none. */
        static Billed reported(@Nullable TokenUsage reported) {
            return reported != null ? new Billed(reported, UsageSource.UPSTREAM) : NOTHING;
        }
    }

}
