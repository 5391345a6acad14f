package dev.tollgate.provider;

import tools.jackson.databind.node.ObjectNode;

/** What a provider's stream is made of once decoded: OpenAI chunks, and usage reported apart from them. */
public sealed interface ChatStreamEvent {

    /**
     * An OpenAI {@code chat.completion.chunk} with at least one choice, ready to relay; never carries usage.
     */
    record Chunk(ObjectNode chunk) implements ChatStreamEvent {
    }

    /** The provider's token counts so far; the last one of a stream is the one to bill. */
    record Usage(TokenUsage usage) implements ChatStreamEvent {
    }

}
