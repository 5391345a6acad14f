package dev.tollgate.provider;

import org.jspecify.annotations.Nullable;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * A whole (non-streamed) answer: an OpenAI {@code chat.completion} object and the usage the provider reported, in
 * OpenAI's accounting. It holds either a tree (answers translated from another format) or, from a provider that
 * speaks OpenAI's format, the provider's bytes, which are sent with Tollgate's id, model and usage put in place and
 * read as a tree only if a consumer asks for one.
 */
public final class ChatCompletion {

    private final TokenUsage usage;
    private final @Nullable RelayedCompletion relayed;
    private @Nullable ObjectNode body;
    private @Nullable Brand brand;
    private @Nullable String stopSequence;

    public ChatCompletion(ObjectNode body, TokenUsage usage) {
        this.body = body;
        this.usage = usage;
        this.relayed = null;
    }

    public ChatCompletion(RelayedCompletion relayed, TokenUsage usage) {
        this.relayed = relayed;
        this.usage = usage;
    }

    public TokenUsage usage() {
        return usage;
    }

    /** The answer as a tree, with the id and model it was branded with (a relayed answer is read on the first call). */
    public ObjectNode body() {
        ObjectNode tree = body;
        if (tree == null) {
            tree = relayed.tree();
            if (brand != null) {
                tree.put("id", brand.id());
                tree.put("model", brand.model());
            }
            body = tree;
        }
        return tree;
    }

    /** Gives the answer Tollgate's id and the model id the client knows. */
    public void brand(Brand brand) {
        this.brand = brand;
        if (body != null) {
            body.put("id", brand.id());
            body.put("model", brand.model());
        }
    }

    /** The last {@code finish_reason} among the choices, if any has one. */
    public @Nullable String finishReason() {
        return body == null ? relayed.finishReason() : ChatStreamEvent.Chunk.lastFinishReason(body.path("choices"));
    }

    /**
     * Notes the stop sequence that ended the answer, for a provider that says which (Anthropic): OpenAI's format has
     * no place for it ({@code finish_reason} is {@code stop}), Anthropic's Messages format does.
     */
    public ChatCompletion stoppedBy(@Nullable String sequence) {
        this.stopSequence = sequence;
        return this;
    }

    /** The stop sequence that ended the answer, when its provider said; null otherwise. */
    public @Nullable String stopSequence() {
        return stopSequence;
    }

    /** The text the answer delivers, when it was read off relayed bytes; null for a tree (read its choices). */
    public @Nullable String relayedText() {
        return body == null ? relayed.text() : null;
    }

    /** The answer's JSON, with its {@code usage} set to the given one. */
    public byte[] toJson(JsonMapper json, Usage usage) {
        if (body == null) {
            return relayed.rewritten(brand, usage.bytes());
        }
        body.set("usage", usage.tree());
        return json.writeValueAsBytes(body);
    }

    /**
     * The usage an answer is sent with, in the form each kind of answer takes: bytes spliced into a relayed answer, a
     * tree set into one held as a tree (read back from the bytes, a cost would become a double).
     */
    public interface Usage {

        /** UTF-8 JSON. */
        byte[] bytes();

        ObjectNode tree();
    }

}
