package dev.tollgate.proxy;

import java.util.concurrent.CompletableFuture;

import reactor.core.scheduler.Schedulers;
import tools.jackson.databind.JsonNode;

import dev.tollgate.metering.TokenCounter;

/**
 * The completion text a client has received, kept so that a call cut short can be billed for what it delivered even
 * when the provider never reported usage.
 * <p>
 * A stream's memory stays flat: past {@value #SEGMENT_CHARS} characters its text is handed to {@code boundedElastic}
 * to be counted and dropped, in every long stream (whether the provider will report usage is only known at its end).
 * Counting is not event-loop work: the tokenizer takes about 2 ms for a segment, 130 to 200 ms for 1 MB of prose. A
 * whole answer's text is kept uncounted (its memory is the answer's, held anyway) and counted only if the call is
 * billed from it.
 *
 * <p>Written as chunks reach the client and read when the call ends, which a client hanging up does from its own event
 * loop while chunks may still arrive on the provider's: the text is locked, and {@link #tokens} takes a snapshot in
 * which each segment is either pending or handed to counting, never neither.
 */
final class DeliveredText {

    static final int SEGMENT_CHARS = 16_384;

    private final TokenCounter tokens;
    private final StringBuilder pending = new StringBuilder();
    /** The tokens in the segments handed to counting so far. */
    private CompletableFuture<Long> segments = CompletableFuture.completedFuture(0L);

    DeliveredText(TokenCounter tokens) {
        this.tokens = tokens;
    }

    /**
     * Takes a chunk's text from its OpenAI choices' deltas (content, reasoning, tool-call names and arguments).
     */
    synchronized void add(JsonNode choices) {
        appendChoices(choices);
        countFullSegment();
    }

    /** Takes text already read off a relayed chunk. */
    synchronized void add(String text) {
        pending.append(text);
        countFullSegment();
    }

    /** Takes a whole answer's text from its OpenAI choices' messages. */
    synchronized void addAnswer(JsonNode choices) {
        appendChoices(choices);
    }

    /** Takes a whole answer's text already read off it. */
    synchronized void addAnswer(String text) {
        pending.append(text);
    }

    /**
     * The tokens delivered, once the segments handed to counting are counted. The rest is counted on the thread that
     * completes them, or on the caller's when they are: never call it on an event loop. Nothing waits: a caller on
     * {@code boundedElastic} blocking on segments queued behind it on a full pool would wait forever.
     */
    CompletableFuture<Long> tokens() {
        CompletableFuture<Long> counted;
        String rest;
        synchronized (this) {
            counted = segments;
            rest = pending.toString();
        }
        return counted.thenApply(segmentTokens -> segmentTokens + tokens.count(rest));
    }

    private void countFullSegment() {
        if (pending.length() >= SEGMENT_CHARS) {
            String segment = pending.toString();
            pending.setLength(0);
            CompletableFuture<Long> count = new CompletableFuture<>();
            Schedulers.boundedElastic().schedule(() -> {
                try {
                    count.complete((long) tokens.count(segment));
                }
                catch (Throwable ex) {
                    // Whatever it is, the call's count must end, or the call is never billed nor its hold settled.
                    count.completeExceptionally(ex);
                }
            });
            segments = segments.thenCombine(count, Long::sum);
        }
    }

    private void appendChoices(JsonNode choices) {
        for (JsonNode choice : choices) {
            JsonNode delta = choice.has("delta") ? choice.path("delta") : choice.path("message");
            append(delta.path("content"));
            append(delta.path("refusal"));
            append(delta.path("reasoning"));
            append(delta.path("reasoning_content"));
            for (JsonNode call : delta.path("tool_calls")) {
                append(call.path("function").path("name"));
                append(call.path("function").path("arguments"));
            }
        }
    }

    private void append(JsonNode text) {
        if (text.isString()) {
            pending.append(text.stringValue());
        }
    }

}
