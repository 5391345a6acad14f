package dev.tollgate.provider;

import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/** What a provider's stream is made of once decoded: OpenAI chunks, and usage reported apart from them. */
public sealed interface ChatStreamEvent {

    /**
     * An OpenAI {@code chat.completion.chunk} with at least one choice, ready to relay; never carries usage. An adapter
     * that translates a provider's format builds it as a JSON tree. One that relays OpenAI's format hands over the
     * provider's bytes with what the proxy needs already read off them ({@link RelayedChunk}): the chunk then leaves
     * as those bytes with only its id and model rewritten, and becomes a tree only if something asks for one.
     */
    final class Chunk implements ChatStreamEvent {

        private final @Nullable RelayedChunk relayed;
        private @Nullable ObjectNode tree;
        private @Nullable Brand brand;
        private @Nullable String stopSequence;

        public Chunk(ObjectNode tree) {
            this.tree = tree;
            this.relayed = null;
        }

        public Chunk(RelayedChunk relayed) {
            this.relayed = relayed;
        }

        /** The chunk as a JSON tree (read from the provider's bytes on first call), branded if it was. */
        public ObjectNode chunk() {
            if (tree == null) {
                ObjectNode read = relayed.tree();
                if (brand != null) {
                    read.put("id", brand.id());
                    read.put("model", brand.model());
                }
                tree = read;
            }
            return tree;
        }

        /**
         * The chunk as the provider sent it, read as a tree without changing how it is relayed (a relayed chunk's bytes
         * are read again, and stay the bytes it leaves as). Not to be changed: it may be the chunk's own tree.
         */
        public ObjectNode readTree() {
            return tree != null ? tree : relayed.tree();
        }

        /** Notes the stop sequence that ended the stream, as {@link ChatCompletion#stoppedBy} does for an answer. */
        public Chunk stoppedBy(@Nullable String sequence) {
            this.stopSequence = sequence;
            return this;
        }

        /** The stop sequence that ended the stream, on its finishing chunk, when its provider said; null otherwise. */
        public @Nullable String stopSequence() {
            return stopSequence;
        }

        /** Gives the chunk the generation's public id and the model name the client asked for. */
        public void brand(Brand brand) {
            if (tree != null) {
                tree.put("id", brand.id());
                tree.put("model", brand.model());
            }
            else {
                this.brand = brand;
            }
        }

        /** The last {@code finish_reason} among the chunk's choices, if any has one. */
        public @Nullable String finishReason() {
            return tree == null ? relayed.finishReason() : lastFinishReason(tree.path("choices"));
        }

        /** The last {@code finish_reason} among OpenAI choices (a chunk's or a whole answer's), if any has one. */
        public static @Nullable String lastFinishReason(JsonNode choices) {
            String reason = null;
            for (JsonNode choice : choices) {
                JsonNode value = choice.path("finish_reason");
                if (value.isString()) {
                    reason = value.stringValue();
                }
            }
            return reason;
        }

        /** The text the chunk delivers, when it was read off relayed bytes; null for a tree (read its choices). */
        public @Nullable String relayedText() {
            return tree == null ? relayed.text() : null;
        }

        /** The chunk's JSON as it goes to the client. */
        public byte[] toJson(JsonMapper json) {
            return toJson(json, ByteSplice.NOTHING, ByteSplice.NOTHING);
        }

        /** The chunk's JSON between {@code before} and {@code after} (an event's framing): a relayed one copied once. */
        public byte[] toJson(JsonMapper json, byte[] before, byte[] after) {
            return tree == null ? relayed.rewritten(brand, before, after)
                    : new ByteSplice(json.writeValueAsBytes(tree)).bytes(before, after);
        }

    }

    /** The provider's token counts so far; the last one of a stream is the one to bill. */
    record Usage(TokenUsage usage) implements ChatStreamEvent {
    }

}
