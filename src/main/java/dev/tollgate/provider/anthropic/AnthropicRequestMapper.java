package dev.tollgate.provider.anthropic;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpStatus;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

import dev.tollgate.common.ApiException;
import dev.tollgate.provider.ChatCall;

/**
 * Translates an OpenAI Chat Completions request into an Anthropic Messages request. System and developer messages
 * become {@code system}; content parts become content blocks; assistant tool calls become {@code tool_use} blocks and
 * {@code tool} messages {@code tool_result} blocks; consecutive messages of one role are merged, as Anthropic wants
 * roles to alternate. A parameter Anthropic cannot honour is a 400 naming it, never dropped silently.
 */
final class AnthropicRequestMapper {

    /**
     * Anthropic requires {@code max_tokens}; OpenAI clients often leave it out. 4096 fits every current Claude model
     * (the smallest output limit is 8192 on older models) and bounds the cost of a request that forgot to set it.
     */
    static final int DEFAULT_MAX_TOKENS = 4096;

    /** OpenAI parameters that do not change the answer and mean nothing to Anthropic. */
    private static final Set<String> IGNORED = Set.of("stream_options", "store", "metadata", "prompt_cache_key",
            "safety_identifier");

    /** OpenAI parameters accepted when they hold their default value (clients often send them anyway). */
    private static final Map<String, String> DEFAULTS_ONLY = Map.of("n", "1", "frequency_penalty", "0",
            "presence_penalty", "0", "logprobs", "false");

    private static final Set<String> MAPPED = Set.of("model", "messages", "stream", "max_tokens",
            "max_completion_tokens", "temperature", "top_p", "top_k", "stop", "tools", "tool_choice",
            "parallel_tool_calls", "user", "response_format", "logit_bias", "service_tier", "modalities");

    private final JsonMapper json;
    private final String provider;

    AnthropicRequestMapper(JsonMapper json, String provider) {
        this.json = json;
        this.provider = provider;
    }

    byte[] toBody(ChatCall call) {
        return json.writeValueAsBytes(toRequest(call));
    }

    ObjectNode toRequest(ChatCall call) {
        ObjectNode openAi = call.request();
        checkSupported(openAi);
        ObjectNode body = json.createObjectNode();
        body.put("model", call.upstreamModel());
        body.put("max_tokens", maxTokens(openAi));
        Conversation conversation = conversation(openAi.path("messages"));
        if (!conversation.system().isEmpty()) {
            body.set("system", conversation.system());
        }
        body.set("messages", conversation.messages());
        copyNumber(openAi, body, "temperature");
        copyNumber(openAi, body, "top_p");
        copyNumber(openAi, body, "top_k");
        stopSequences(openAi.path("stop"), body);
        tools(openAi, body);
        JsonNode user = openAi.path("user");
        if (user.isString() && !user.stringValue().isBlank()) {
            body.putObject("metadata").put("user_id", user.stringValue());
        }
        responseFormat(openAi.path("response_format"), body);
        if (call.stream()) {
            body.put("stream", true);
        }
        return body;
    }

    private void checkSupported(ObjectNode openAi) {
        for (Map.Entry<String, JsonNode> field : openAi.properties()) {
            String name = field.getKey();
            JsonNode value = field.getValue();
            if (value.isNull() || IGNORED.contains(name)) {
                continue;
            }
            String onlyDefault = DEFAULTS_ONLY.get(name);
            if (onlyDefault != null) {
                if (!value.asString().equals(onlyDefault) && !(value.isNumber() && value.asDouble() == 0
                        && "0".equals(onlyDefault))) {
                    throw unsupported(name, "'" + name + "' is not supported by provider " + provider
                            + " (only " + onlyDefault + ")");
                }
                continue;
            }
            if (!MAPPED.contains(name)) {
                throw unsupported(name, "'" + name + "' is not supported by provider " + provider);
            }
        }
        JsonNode logitBias = openAi.path("logit_bias");
        if (logitBias.isObject() && !logitBias.isEmpty()) {
            throw unsupported("logit_bias", "'logit_bias' is not supported by provider " + provider);
        }
        JsonNode tier = openAi.path("service_tier");
        if (tier.isString() && !"auto".equals(tier.stringValue()) && !"default".equals(tier.stringValue())) {
            throw unsupported("service_tier", "'service_tier' " + tier.stringValue()
                    + " is not supported by provider " + provider + " (only auto or default)");
        }
        JsonNode modalities = openAi.path("modalities");
        if (modalities.isArray()) {
            for (JsonNode modality : modalities) {
                if (!"text".equals(modality.asString())) {
                    throw unsupported("modalities", "Provider " + provider + " answers with text only");
                }
            }
        }
    }

    private static long maxTokens(ObjectNode openAi) {
        for (String field : List.of("max_completion_tokens", "max_tokens")) {
            JsonNode value = openAi.path(field);
            if (value.isIntegralNumber() && value.asLong() > 0) {
                return value.asLong();
            }
        }
        return DEFAULT_MAX_TOKENS;
    }

    private Conversation conversation(JsonNode messages) {
        ArrayNode system = json.createArrayNode();
        List<Turn> turns = new ArrayList<>();
        for (int i = 0; i < messages.size(); i++) {
            JsonNode message = messages.get(i);
            String at = "messages[" + i + "]";
            String role = message.path("role").asString();
            switch (role) {
                // Anthropic has one system prompt ahead of the conversation; later system messages join it in order.
                case "system", "developer" -> textBlocks(message.path("content"), at, system);
                case "user" -> {
                    ArrayNode blocks = json.createArrayNode();
                    contentBlocks(message.path("content"), at, blocks, true);
                    add(turns, "user", blocks);
                }
                case "assistant" -> add(turns, "assistant", assistantBlocks(message, at));
                case "tool" -> add(turns, "user", toolResult(message, at));
                default -> throw invalid(at + ".role", "Role '" + role + "' is not supported by provider " + provider
                        + " (system, developer, user, assistant, tool)");
            }
        }
        ArrayNode out = json.createArrayNode();
        for (Turn turn : turns) {
            ObjectNode message = out.addObject();
            message.put("role", turn.role());
            message.set("content", turn.blocks());
        }
        return new Conversation(system, out);
    }

    /** Appends blocks to the last turn when it has the same role, as Anthropic requires alternating roles. */
    private static void add(List<Turn> turns, String role, ArrayNode blocks) {
        if (!turns.isEmpty() && turns.get(turns.size() - 1).role().equals(role)) {
            turns.get(turns.size() - 1).blocks().addAll(blocks);
        }
        else {
            turns.add(new Turn(role, blocks));
        }
    }

    private ArrayNode assistantBlocks(JsonNode message, String at) {
        ArrayNode blocks = json.createArrayNode();
        contentBlocks(message.path("content"), at, blocks, false);
        JsonNode toolCalls = message.path("tool_calls");
        for (int j = 0; j < toolCalls.size(); j++) {
            JsonNode call = toolCalls.get(j);
            String callAt = at + ".tool_calls[" + j + "]";
            if (!"function".equals(call.path("type").asString("function"))) {
                throw invalid(callAt + ".type", "Only function tool calls are supported by provider " + provider);
            }
            ObjectNode block = blocks.addObject();
            block.put("type", "tool_use");
            block.put("id", requireString(call.path("id"), callAt + ".id"));
            block.put("name", requireString(call.path("function").path("name"), callAt + ".function.name"));
            block.set("input", arguments(call.path("function").path("arguments"), callAt + ".function.arguments"));
        }
        if (message.has("function_call") && !message.path("function_call").isNull()) {
            throw unsupported(at + ".function_call", "'function_call' is deprecated; send 'tool_calls' instead");
        }
        return blocks;
    }

    private JsonNode arguments(JsonNode arguments, String at) {
        if (arguments.isMissingNode() || arguments.isNull()
                || (arguments.isString() && arguments.stringValue().isBlank())) {
            return json.createObjectNode();
        }
        if (arguments.isObject()) {
            return arguments;
        }
        try {
            JsonNode parsed = json.readTree(arguments.asString());
            if (parsed instanceof ObjectNode object) {
                return object;
            }
        }
        catch (JacksonException ignored) {
            // reported below
        }
        throw invalid(at, at + " must be a JSON object encoded as a string");
    }

    private ArrayNode toolResult(JsonNode message, String at) {
        ArrayNode blocks = json.createArrayNode();
        ObjectNode block = blocks.addObject();
        block.put("type", "tool_result");
        block.put("tool_use_id", requireString(message.path("tool_call_id"), at + ".tool_call_id"));
        JsonNode content = message.path("content");
        if (content.isString()) {
            block.put("content", content.stringValue());
        }
        else if (content.isArray()) {
            ArrayNode parts = json.createArrayNode();
            textBlocks(content, at + ".content", parts);
            block.set("content", parts);
        }
        else if (!content.isMissingNode() && !content.isNull()) {
            throw invalid(at + ".content", at + ".content must be a string or an array of text parts");
        }
        return blocks;
    }

    /** System prompts and tool results take text only. */
    private void textBlocks(JsonNode content, String at, ArrayNode into) {
        if (content.isString()) {
            if (!content.stringValue().isEmpty()) {
                into.addObject().put("type", "text").put("text", content.stringValue());
            }
            return;
        }
        if (!content.isArray()) {
            throw invalid(at + ".content", at + ".content must be a string or an array of text parts");
        }
        for (int k = 0; k < content.size(); k++) {
            JsonNode part = content.get(k);
            if (!"text".equals(part.path("type").asString())) {
                throw unsupported(at + ".content[" + k + "]", "Only text parts are supported here by provider "
                        + provider);
            }
            into.add(textBlock(part, at + ".content[" + k + "]"));
        }
    }

    private void contentBlocks(JsonNode content, String at, ArrayNode into, boolean imagesAllowed) {
        if (content.isMissingNode() || content.isNull()) {
            return;
        }
        if (content.isString()) {
            // Anthropic rejects empty text blocks; an assistant turn with only tool calls has "" or null content.
            if (!content.stringValue().isEmpty()) {
                into.addObject().put("type", "text").put("text", content.stringValue());
            }
            return;
        }
        if (!content.isArray()) {
            throw invalid(at + ".content", at + ".content must be a string or an array of content parts");
        }
        for (int k = 0; k < content.size(); k++) {
            JsonNode part = content.get(k);
            String partAt = at + ".content[" + k + "]";
            String type = part.path("type").asString();
            switch (type) {
                case "text" -> {
                    if (!part.path("text").asString().isEmpty()) {
                        into.add(textBlock(part, partAt));
                    }
                }
                case "refusal" -> into.addObject().put("type", "text").put("text", part.path("refusal").asString());
                case "image_url" -> {
                    if (!imagesAllowed) {
                        throw unsupported(partAt, "Images are supported in user messages only");
                    }
                    into.add(imageBlock(part, partAt));
                }
                default -> throw unsupported(partAt + ".type", "Content part type '" + type
                        + "' is not supported by provider " + provider + " (text, image_url)");
            }
        }
    }

    private ObjectNode textBlock(JsonNode part, String at) {
        ObjectNode block = json.createObjectNode();
        block.put("type", "text");
        block.put("text", requireString(part.path("text"), at + ".text"));
        copyCacheControl(part, block);
        return block;
    }

    /** A data URL becomes a base64 source; an http(s) URL a url source that Anthropic fetches itself. */
    private ObjectNode imageBlock(JsonNode part, String at) {
        JsonNode image = part.path("image_url");
        String url = image.isString() ? image.stringValue() : requireString(image.path("url"), at + ".image_url.url");
        ObjectNode block = json.createObjectNode();
        block.put("type", "image");
        ObjectNode source = block.putObject("source");
        if (url.startsWith("data:")) {
            int comma = url.indexOf(',');
            String meta = comma < 0 ? "" : url.substring(5, comma);
            if (comma < 0 || !meta.endsWith(";base64")) {
                throw invalid(at + ".image_url.url", "An image data URL must be data:<media type>;base64,<data>");
            }
            source.put("type", "base64");
            source.put("media_type", meta.substring(0, meta.length() - ";base64".length()));
            source.put("data", url.substring(comma + 1));
        }
        else if (url.startsWith("https://") || url.startsWith("http://")) {
            source.put("type", "url");
            source.put("url", url);
        }
        else {
            throw invalid(at + ".image_url.url", "An image URL must be an http(s) URL or a base64 data URL");
        }
        copyCacheControl(part, block);
        return block;
    }

    /** Anthropic's prompt-caching marker, which OpenRouter lets OpenAI-format clients put on content parts. */
    private static void copyCacheControl(JsonNode part, ObjectNode block) {
        JsonNode cacheControl = part.path("cache_control");
        if (cacheControl.isObject()) {
            block.set("cache_control", cacheControl);
        }
    }

    private void stopSequences(JsonNode stop, ObjectNode body) {
        if (stop.isMissingNode() || stop.isNull()) {
            return;
        }
        ArrayNode sequences = json.createArrayNode();
        if (stop.isString()) {
            sequences.add(stop.stringValue());
        }
        else if (stop.isArray()) {
            for (JsonNode sequence : stop) {
                sequences.add(requireString(sequence, "stop"));
            }
        }
        else {
            throw invalid("stop", "'stop' must be a string or an array of strings");
        }
        if (!sequences.isEmpty()) {
            body.set("stop_sequences", sequences);
        }
    }

    private void tools(ObjectNode openAi, ObjectNode body) {
        JsonNode tools = openAi.path("tools");
        if (tools.isArray() && !tools.isEmpty()) {
            ArrayNode out = body.putArray("tools");
            for (int i = 0; i < tools.size(); i++) {
                JsonNode tool = tools.get(i);
                if (!"function".equals(tool.path("type").asString())) {
                    throw unsupported("tools[" + i + "].type", "Only function tools are supported by provider "
                            + provider);
                }
                JsonNode function = tool.path("function");
                ObjectNode anthropic = out.addObject();
                anthropic.put("name", requireString(function.path("name"), "tools[" + i + "].function.name"));
                if (function.path("description").isString()) {
                    anthropic.put("description", function.path("description").stringValue());
                }
                JsonNode parameters = function.path("parameters");
                if (parameters.isObject()) {
                    anthropic.set("input_schema", parameters);
                }
                else {
                    // OpenAI allows a function without parameters; Anthropic wants a schema for every tool.
                    anthropic.putObject("input_schema").put("type", "object").putObject("properties");
                }
                copyCacheControl(tool, anthropic);
            }
        }
        ObjectNode choice = toolChoice(openAi.path("tool_choice"));
        JsonNode parallel = openAi.path("parallel_tool_calls");
        if (parallel.isBoolean() && !parallel.booleanValue() && body.has("tools")) {
            if (choice == null) {
                choice = json.createObjectNode().put("type", "auto");
            }
            if (!"none".equals(choice.path("type").asString())) {
                choice.put("disable_parallel_tool_use", true);
            }
        }
        if (choice != null) {
            body.set("tool_choice", choice);
        }
    }

    private @Nullable ObjectNode toolChoice(JsonNode choice) {
        if (choice.isMissingNode() || choice.isNull()) {
            return null;
        }
        if (choice.isString()) {
            return switch (choice.stringValue()) {
                case "auto" -> json.createObjectNode().put("type", "auto");
                case "required" -> json.createObjectNode().put("type", "any");
                case "none" -> json.createObjectNode().put("type", "none");
                default -> throw invalid("tool_choice", "'tool_choice' must be auto, required, none or a function");
            };
        }
        String name = choice.path("function").path("name").asString();
        if (!"function".equals(choice.path("type").asString()) || name.isEmpty()) {
            throw invalid("tool_choice", "'tool_choice' must be auto, required, none or a function");
        }
        return json.createObjectNode().put("type", "tool").put("name", name);
    }

    /** Anthropic's structured outputs ({@code output_config.format}) take a JSON schema, as OpenAI's json_schema. */
    private void responseFormat(JsonNode format, ObjectNode body) {
        if (format.isMissingNode() || format.isNull()) {
            return;
        }
        switch (format.path("type").asString()) {
            case "text" -> {
            }
            case "json_schema" -> {
                JsonNode schema = format.path("json_schema").path("schema");
                if (!schema.isObject()) {
                    throw invalid("response_format.json_schema.schema", "'response_format.json_schema.schema' "
                            + "must be a JSON schema object");
                }
                ObjectNode out = body.putObject("output_config").putObject("format");
                out.put("type", "json_schema");
                out.set("schema", schema);
            }
            default -> throw unsupported("response_format", "'response_format' " + format.path("type").asString()
                    + " is not supported by provider " + provider + " (text, json_schema)");
        }
    }

    private static void copyNumber(ObjectNode from, ObjectNode to, String field) {
        JsonNode value = from.path(field);
        if (value.isNumber()) {
            to.set(field, value);
        }
        else if (!value.isMissingNode() && !value.isNull()) {
            throw invalid(field, "'" + field + "' must be a number");
        }
    }

    private static String requireString(JsonNode value, String at) {
        if (!value.isString()) {
            throw invalid(at, at + " must be a string");
        }
        return value.stringValue();
    }

    private static ApiException invalid(String param, String message) {
        return ApiException.invalidParam(param, message + ".");
    }

    private static ApiException unsupported(String param, String message) {
        return new ApiException(HttpStatus.BAD_REQUEST, "invalid_request_error", "unsupported_parameter",
                message + ".", param, Map.of(), null);
    }

    private record Conversation(ArrayNode system, ArrayNode messages) {
    }

    private record Turn(String role, ArrayNode blocks) {
    }

}
