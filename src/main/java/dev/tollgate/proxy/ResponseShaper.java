package dev.tollgate.proxy;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;

import org.jspecify.annotations.Nullable;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

import dev.tollgate.provider.ChatCompletion;
import dev.tollgate.provider.ChatStreamEvent;
import dev.tollgate.provider.TokenUsage;

/**
 * Writes what Tollgate tells a client in OpenAI's shape: usage (with the cost when asked), the usage chunk that ends a
 * stream, and answers and chunks as bytes. Answers carry Tollgate's identity, given them by {@link ChatPipeline}: the
 * generation id as their {@code id} (as OpenRouter does, so the id a client sees is the one {@code /v1/generation}
 * takes) and the public model id.
 */
final class ResponseShaper {

    private final JsonMapper json;

    ResponseShaper(JsonMapper json) {
        this.json = json;
    }

    /**
     * {@link #usageJson} as bytes, written directly: every whole answer carries one, and a tree and a generator for it
     * allocated more than the rest of the answer's rewriting. The same bytes Jackson writes for the tree
     * ({@code ResponseShaperTests}); a {@code BigDecimal} as its {@code toString()}, as Jackson writes one.
     */
    byte[] usageBytes(TokenUsage usage, @Nullable BigDecimal costUsd) {
        StringBuilder out = new StringBuilder(224)
            .append("{\"prompt_tokens\":").append(usage.promptTokens())
            .append(",\"completion_tokens\":").append(usage.completionTokens())
            .append(",\"total_tokens\":").append(usage.totalTokens())
            .append(",\"prompt_tokens_details\":{\"cached_tokens\":").append(usage.cachedTokens())
            .append(",\"cache_write_tokens\":").append(usage.cacheWriteTokens());
        long promptAudio = promptAudio(usage);
        if (promptAudio > 0) {
            out.append(",\"audio_tokens\":").append(promptAudio);
        }
        out.append("},\"completion_tokens_details\":{\"reasoning_tokens\":").append(usage.reasoningTokens());
        if (usage.audioCompletionTokens() > 0) {
            out.append(",\"audio_tokens\":").append(usage.audioCompletionTokens());
        }
        out.append('}');
        if (costUsd != null) {
            out.append(",\"cost\":").append(costUsd);
        }
        return out.append('}').toString().getBytes(StandardCharsets.US_ASCII);
    }

    ObjectNode usageJson(TokenUsage usage, @Nullable BigDecimal costUsd) {
        ObjectNode node = json.createObjectNode();
        node.put("prompt_tokens", usage.promptTokens());
        node.put("completion_tokens", usage.completionTokens());
        node.put("total_tokens", usage.totalTokens());
        ObjectNode prompt = node.putObject("prompt_tokens_details")
            .put("cached_tokens", usage.cachedTokens())
            .put("cache_write_tokens", usage.cacheWriteTokens());
        if (promptAudio(usage) > 0) {
            prompt.put("audio_tokens", promptAudio(usage));
        }
        ObjectNode completion = node.putObject("completion_tokens_details")
            .put("reasoning_tokens", usage.reasoningTokens());
        if (usage.audioCompletionTokens() > 0) {
            completion.put("audio_tokens", usage.audioCompletionTokens());
        }
        if (costUsd != null) {
            node.put("cost", costUsd);
        }
        return node;
    }

    /**
     * The prompt's audio, cached or not, as OpenAI counts it: shown only when there is some, so that a client
     * reconciling an audio call's cost sees what it was billed for, and every other answer keeps its shape.
     */
    private static long promptAudio(TokenUsage usage) {
        return usage.audioPromptTokens() + usage.cachedAudioTokens();
    }

    /** The chunk that ends a stream for clients that asked for usage: empty choices, usage filled in. */
    ObjectNode usageChunk(GenerationTracker tracker, long created, TokenUsage usage, @Nullable BigDecimal costUsd) {
        ObjectNode chunk = json.createObjectNode();
        chunk.put("id", tracker.publicId());
        chunk.put("object", "chat.completion.chunk");
        chunk.put("created", created);
        chunk.put("model", tracker.model());
        chunk.putArray("choices");
        chunk.set("usage", usageJson(usage, costUsd));
        return chunk;
    }

    byte[] bytes(ObjectNode node) {
        return json.writeValueAsBytes(node);
    }

    /** A whole answer's JSON, with its usage. */
    byte[] bytes(ChatCompletion completion, TokenUsage usage, @Nullable BigDecimal costUsd) {
        return completion.toJson(json, new AnswerUsage(this, usage, costUsd));
    }

    /** Made in the form the answer asks for, and only that one. */
    private record AnswerUsage(ResponseShaper shaper, TokenUsage usage, @Nullable BigDecimal costUsd)
            implements ChatCompletion.Usage {

        @Override
        public byte[] bytes() {
            return shaper.usageBytes(usage, costUsd);
        }

        @Override
        public ObjectNode tree() {
            return shaper.usageJson(usage, costUsd);
        }
    }

    /** A chunk as the event that relays it, {@code data: <json>\n\n}, copied once. */
    byte[] frame(ChatStreamEvent.Chunk chunk) {
        return chunk.toJson(json, SseFrames.DATA, SseFrames.END);
    }

}
