package dev.tollgate.proxy;

import tools.jackson.databind.JsonNode;

import dev.tollgate.metering.TokenCounter;

/**
 * The completion text a client has received, kept so that a stream cut short can be billed for what it delivered
 * even when the provider never reported usage. Memory stays flat: past {@value #SEGMENT_CHARS} characters the text
 * is counted and dropped, in every long stream (whether the provider will report usage is only known at its end).
 * What is left is counted at the end, and only when the call is billed from it (cut short, or no usage reported).
 *
 * <p>Written as chunks reach the client and read when the call ends, which a client hanging up does from its own event
 * loop while chunks may still arrive on the provider's: a count taken as a chunk completed a segment saw the segment
 * neither pending nor counted. Locked (never contended but at that moment).
 */
final class DeliveredText {

    static final int SEGMENT_CHARS = 16_384;

    private final TokenCounter tokens;
    private final StringBuilder pending = new StringBuilder();
    private long countedTokens;

    DeliveredText(TokenCounter tokens) {
        this.tokens = tokens;
    }

    /**
     * Takes the text of OpenAI choices: a chunk's deltas or a whole answer's messages (content, reasoning, tool-call
     * names and arguments).
     */
    synchronized void add(JsonNode choices) {
        for (JsonNode choice : choices) {
            JsonNode delta = choice.has("delta") ? choice.path("delta") : choice.path("message");
            append(delta.path("content"));
            append(delta.path("reasoning"));
            append(delta.path("reasoning_content"));
            for (JsonNode call : delta.path("tool_calls")) {
                append(call.path("function").path("name"));
                append(call.path("function").path("arguments"));
            }
        }
        countFullSegment();
    }

    /** Takes text already read off a relayed chunk. */
    synchronized void add(String text) {
        pending.append(text);
        countFullSegment();
    }

    private void countFullSegment() {
        if (pending.length() >= SEGMENT_CHARS) {
            countedTokens += tokens.count(pending);
            pending.setLength(0);
        }
    }

    synchronized long tokens() {
        return countedTokens + tokens.count(pending);
    }

    private void append(JsonNode text) {
        if (text.isString()) {
            pending.append(text.stringValue());
        }
    }

}
