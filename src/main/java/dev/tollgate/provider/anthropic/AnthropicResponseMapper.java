package dev.tollgate.provider.anthropic;

import java.time.Clock;

import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

import dev.tollgate.provider.ChatCompletion;
import dev.tollgate.provider.TokenUsage;
import dev.tollgate.provider.UpstreamException;

/**
 * Translates an Anthropic {@code message} into an OpenAI {@code chat.completion}: text blocks join into the
 * message's content, {@code tool_use} blocks become {@code tool_calls}, {@code stop_reason} becomes
 * {@code finish_reason}, and usage is converted to OpenAI's accounting (see {@link AnthropicUsage}). Thinking and
 * server-tool blocks have no OpenAI counterpart and are left out.
 */
final class AnthropicResponseMapper {

    private final JsonMapper json;
    private final String provider;
    private final Clock clock;

    AnthropicResponseMapper(JsonMapper json, String provider, Clock clock) {
        this.json = json;
        this.provider = provider;
        this.clock = clock;
    }

    ChatCompletion toCompletion(byte[] bytes) {
        JsonNode root;
        try {
            root = json.readTree(bytes);
        }
        catch (JacksonException ex) {
            throw UpstreamException.malformed(provider, "a body that is not JSON");
        }
        if (!"message".equals(root.path("type").asString("")) || !root.path("content").isArray()) {
            throw UpstreamException.malformed(provider, "a body that is not a message");
        }
        return toCompletion(root);
    }

    ChatCompletion toCompletion(JsonNode message) {
        ObjectNode completion = json.createObjectNode();
        completion.put("id", message.path("id").asString(""));
        completion.put("object", "chat.completion");
        completion.put("created", clock.instant().getEpochSecond());
        completion.put("model", message.path("model").asString(""));
        ObjectNode choice = completion.putArray("choices").addObject();
        choice.put("index", 0);
        ObjectNode out = choice.putObject("message");
        out.put("role", "assistant");
        StringBuilder text = new StringBuilder();
        ArrayNode toolCalls = json.createArrayNode();
        for (JsonNode block : message.path("content")) {
            switch (block.path("type").asString("")) {
                case "text" -> text.append(block.path("text").asString(""));
                case "tool_use" -> {
                    ObjectNode call = toolCalls.addObject();
                    call.put("id", block.path("id").asString(""));
                    call.put("type", "function");
                    ObjectNode function = call.putObject("function");
                    function.put("name", block.path("name").asString(""));
                    JsonNode input = block.path("input");
                    function.put("arguments", json.writeValueAsString(input.isMissingNode() ? json.createObjectNode()
                            : input));
                }
                default -> {
                    // thinking, redacted_thinking, server tool blocks: nothing to show an OpenAI client
                }
            }
        }
        if (text.isEmpty() && !toolCalls.isEmpty()) {
            out.putNull("content");
        }
        else {
            out.put("content", text.toString());
        }
        if (!toolCalls.isEmpty()) {
            out.set("tool_calls", toolCalls);
        }
        out.putNull("refusal");
        choice.putNull("logprobs");
        String finishReason = AnthropicStopReasons.finishReason(
                message.path("stop_reason").isString() ? message.path("stop_reason").stringValue() : null);
        choice.put("finish_reason", finishReason != null ? finishReason : "stop");
        TokenUsage usage = AnthropicUsage.from(message.path("usage"), provider).toTokenUsage();
        ObjectNode usageJson = completion.putObject("usage");
        usageJson.put("prompt_tokens", usage.promptTokens());
        usageJson.put("completion_tokens", usage.completionTokens());
        usageJson.put("total_tokens", usage.totalTokens());
        usageJson.putObject("prompt_tokens_details").put("cached_tokens", usage.cachedTokens())
            .put("cache_write_tokens", usage.cacheWriteTokens());
        return new ChatCompletion(completion, usage).stoppedBy(AnthropicStopReasons.stopSequence(message));
    }

}
