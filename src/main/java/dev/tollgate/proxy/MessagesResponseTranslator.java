package dev.tollgate.proxy;

import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

import dev.tollgate.provider.TokenUsage;

/**
 * Translates the pipeline's OpenAI {@code chat.completion} back into an Anthropic {@code message}: content becomes
 * a text block, {@code tool_calls} become {@code tool_use} blocks, {@code finish_reason} becomes {@code stop_reason},
 * and usage is split the Anthropic way (input tokens exclude cache reads and writes).
 */
final class MessagesResponseTranslator {

    private final JsonMapper json;

    MessagesResponseTranslator(JsonMapper json) {
        this.json = json;
    }

    ObjectNode toMessage(ObjectNode completion, TokenUsage usage) {
        return toMessage(completion, usage, null);
    }

    /** @param stopSequence the stop sequence that ended the answer, when its provider said which */
    ObjectNode toMessage(ObjectNode completion, TokenUsage usage, @Nullable String stopSequence) {
        ObjectNode message = json.createObjectNode();
        message.put("id", completion.path("id").asString());
        message.put("type", "message");
        message.put("role", "assistant");
        message.put("model", completion.path("model").asString());
        JsonNode choice = completion.path("choices").path(0);
        JsonNode out = choice.path("message");
        ArrayNode content = message.putArray("content");
        String text = out.path("content").isString() ? out.path("content").stringValue()
                : out.path("refusal").isString() ? out.path("refusal").stringValue() : "";
        if (!text.isEmpty()) {
            content.addObject().put("type", "text").put("text", text);
        }
        for (JsonNode call : out.path("tool_calls")) {
            ObjectNode block = content.addObject();
            block.put("type", "tool_use");
            block.put("id", call.path("id").asString());
            block.put("name", call.path("function").path("name").asString());
            block.set("input", input(call.path("function").path("arguments").asString()));
        }
        JsonNode finish = choice.path("finish_reason");
        stop(message, finishWithTools(finish.isString() ? finish.stringValue() : null,
                !out.path("tool_calls").isEmpty()), stopSequence);
        usage(message.putObject("usage"), usage);
        return message;
    }

    /**
     * A tool call's arguments as the {@code input} object. A model that produced invalid JSON keeps its text, as a
     * string, rather than having its call silently emptied.
     */
    JsonNode input(String arguments) {
        if (arguments.isBlank()) {
            return json.createObjectNode();
        }
        try {
            JsonNode parsed = json.readTree(arguments);
            if (parsed.isObject()) {
                return parsed;
            }
        }
        catch (JacksonException ignored) {
            // kept as text below
        }
        return json.getNodeFactory().stringNode(arguments);
    }

    /** Sets {@code stop_reason} and {@code stop_sequence}, the matched sequence when there is one. */
    static void stop(ObjectNode node, @Nullable String finishReason, @Nullable String stopSequence) {
        if (stopSequence != null) {
            node.put("stop_reason", "stop_sequence").put("stop_sequence", stopSequence);
        }
        else {
            node.put("stop_reason", stopReason(finishReason)).putNull("stop_sequence");
        }
    }

    /**
     * The finish reason an answer that called tools stopped for: OpenAI (and vLLM after it) says {@code stop}, not
     * {@code tool_calls}, when {@code tool_choice} named the tool, and an Anthropic client's loop runs the tool only
     * on {@code stop_reason: "tool_use"}.
     */
    static @Nullable String finishWithTools(@Nullable String finishReason, boolean calledTools) {
        return calledTools && (finishReason == null || finishReason.equals("stop")) ? "tool_calls" : finishReason;
    }

    static String stopReason(@Nullable String finishReason) {
        if (finishReason == null) {
            return "end_turn";
        }
        return switch (finishReason) {
            // Mistral names a stop at the model's context length model_length.
            case "length", "model_length" -> "max_tokens";
            case "tool_calls", "function_call" -> "tool_use";
            case "content_filter" -> "refusal";
            default -> "end_turn";
        };
    }

    /** Fills {@code node} with Anthropic's usage fields. */
    static ObjectNode usage(ObjectNode node, TokenUsage usage) {
        node.put("input_tokens", Math.max(0, usage.promptTokens() - usage.cachedTokens() - usage.cacheWriteTokens()));
        node.put("cache_creation_input_tokens", usage.cacheWriteTokens());
        node.put("cache_read_input_tokens", usage.cachedTokens());
        if (usage.cacheWriteTokens() > 0) {
            node.putObject("cache_creation")
                .put("ephemeral_5m_input_tokens", usage.cacheWriteTokens() - usage.hourCacheWriteTokens())
                .put("ephemeral_1h_input_tokens", usage.hourCacheWriteTokens());
        }
        node.put("output_tokens", usage.completionTokens());
        return node;
    }

}
