package dev.tollgate.proxy;

import java.util.Map;
import java.util.Set;

import org.springframework.http.HttpStatus;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

import dev.tollgate.common.ApiException;
import dev.tollgate.common.JsonNumbers;

/**
 * Translates an Anthropic Messages request into the OpenAI Chat Completions request the pipeline runs, so that any
 * catalog model can answer it: {@code system} becomes a system message, {@code tool_use} blocks become
 * {@code tool_calls}, {@code tool_result} blocks become {@code tool} messages (placed first, as OpenAI wants them
 * right after the assistant's calls), images become {@code image_url} parts. Fields with no OpenAI counterpart are a
 * 400 naming them, never dropped silently.
 */
final class MessagesRequestTranslator {

    private static final Set<String> KNOWN = Set.of("model", "messages", "system", "max_tokens", "stream",
            "stop_sequences", "temperature", "top_p", "top_k", "tools", "tool_choice", "metadata", "thinking",
            "output_config", "models", "provider");

    private final JsonMapper json;

    MessagesRequestTranslator(JsonMapper json) {
        this.json = json;
    }

    /** The OpenAI-shaped body; {@link ChatRequestReader#toChatRequest} validates it as any other chat request. */
    ObjectNode toChatBody(ObjectNode messages) {
        for (Map.Entry<String, JsonNode> field : messages.properties()) {
            if (!KNOWN.contains(field.getKey()) && !field.getValue().isNull()) {
                throw unsupported(field.getKey(),
                        "'" + field.getKey() + "' is not supported by Tollgate's Messages API");
            }
        }
        ObjectNode chat = json.createObjectNode();
        JsonNode model = messages.path("model");
        // OpenRouter's routing fields, read as on chat completions: fallback models (the first of them the model
        // asked for when there is no model) and provider preferences.
        copyIfPresent(messages, "models", chat, "models");
        copyIfPresent(messages, "provider", chat, "provider");
        boolean modelFromList = (model.isMissingNode() || model.isNull()) && chat.has("models");
        if (!modelFromList && (!model.isString() || model.stringValue().isBlank())) {
            throw ApiException.invalidParam("model", "'model' is required and must be a catalog model id such as "
                    + "\"anthropic/claude-sonnet-4-5\".");
        }
        if (!modelFromList) {
            chat.put("model", model.stringValue());
        }
        JsonNode maxTokens = messages.path("max_tokens");
        if (!maxTokens.isMissingNode() && !maxTokens.isNull()) {
            if (!JsonNumbers.isWholeNumberIn(maxTokens, 1, Integer.MAX_VALUE)) {
                throw ApiException.invalidParam("max_tokens", "'max_tokens' must be a positive integer.");
            }
            // max_completion_tokens: OpenAI's reasoning models refuse the older max_tokens.
            chat.set("max_completion_tokens", maxTokens);
        }
        ArrayNode out = chat.putArray("messages");
        system(messages.path("system"), out);
        JsonNode turns = messages.path("messages");
        if (!turns.isArray() || turns.isEmpty()) {
            throw ApiException.invalidParam("messages", "'messages' is required and must be a non-empty array.");
        }
        for (int i = 0; i < turns.size(); i++) {
            turn(turns.get(i), "messages[" + i + "]", out);
        }
        copyIfPresent(messages, "stream", chat, "stream");
        copyIfPresent(messages, "temperature", chat, "temperature");
        copyIfPresent(messages, "top_p", chat, "top_p");
        copyIfPresent(messages, "top_k", chat, "top_k");
        copyIfPresent(messages, "stop_sequences", chat, "stop");
        tools(messages, chat);
        JsonNode user = messages.path("metadata").path("user_id");
        if (user.isString()) {
            chat.put("user", user.stringValue());
        }
        thinking(messages.path("thinking"));
        outputFormat(messages.path("output_config"), chat);
        return chat;
    }

    private void system(JsonNode system, ArrayNode out) {
        if (system.isMissingNode() || system.isNull()) {
            return;
        }
        if (system.isString()) {
            out.addObject().put("role", "system").put("content", system.stringValue());
            return;
        }
        if (!system.isArray()) {
            throw ApiException.invalidParam("system", "'system' must be a string or an array of text blocks.");
        }
        ArrayNode parts = json.createArrayNode();
        for (int i = 0; i < system.size(); i++) {
            parts.add(textPart(system.get(i), "system[" + i + "]"));
        }
        out.addObject().put("role", "system").set("content", simplified(parts));
    }

    private void turn(JsonNode message, String at, ArrayNode out) {
        String role = message.path("role").asString("");
        JsonNode content = message.path("content");
        if (!"user".equals(role) && !"assistant".equals(role)) {
            throw ApiException.invalidParam(at + ".role", at + ".role must be user or assistant.");
        }
        if (content.isString()) {
            out.addObject().put("role", role).put("content", content.stringValue());
            return;
        }
        if (!content.isArray()) {
            throw ApiException.invalidParam(at + ".content", at + ".content must be a string or an array of blocks.");
        }
        if ("assistant".equals(role)) {
            assistant(content, at, out);
        }
        else {
            user(content, at, out);
        }
    }

    private void user(JsonNode blocks, String at, ArrayNode out) {
        ArrayNode parts = json.createArrayNode();
        for (int k = 0; k < blocks.size(); k++) {
            JsonNode block = blocks.get(k);
            String blockAt = at + ".content[" + k + "]";
            switch (block.path("type").asString("")) {
                case "text" -> parts.add(textPart(block, blockAt));
                case "image" -> parts.add(imagePart(block, blockAt));
                case "tool_result" -> out.add(toolMessage(block, blockAt));
                default -> throw unsupported(blockAt + ".type", "Content block type '" + block.path("type").asString("")
                        + "' is not supported by Tollgate's Messages API (text, image, tool_result)");
            }
        }
        if (!parts.isEmpty()) {
            out.addObject().put("role", "user").set("content", simplified(parts));
        }
    }

    private void assistant(JsonNode blocks, String at, ArrayNode out) {
        StringBuilder text = new StringBuilder();
        ArrayNode toolCalls = json.createArrayNode();
        for (int k = 0; k < blocks.size(); k++) {
            JsonNode block = blocks.get(k);
            String blockAt = at + ".content[" + k + "]";
            switch (block.path("type").asString("")) {
                case "text" -> text.append(requireString(block.path("text"), blockAt + ".text"));
                case "tool_use" -> {
                    ObjectNode call = toolCalls.addObject();
                    call.put("id", requireString(block.path("id"), blockAt + ".id"));
                    call.put("type", "function");
                    JsonNode input = block.path("input");
                    call.putObject("function")
                        .put("name", requireString(block.path("name"), blockAt + ".name"))
                        .put("arguments", json.writeValueAsString(input.isMissingNode() ? json.createObjectNode()
                                : input));
                }
                // Earlier thinking is the model's own scratch work; other models cannot use it and need not see it.
                case "thinking", "redacted_thinking" -> {
                }
                default -> throw unsupported(blockAt + ".type", "Content block type '" + block.path("type").asString("")
                        + "' is not supported in assistant turns by Tollgate's Messages API (text, tool_use)");
            }
        }
        ObjectNode message = out.addObject();
        message.put("role", "assistant");
        if (text.isEmpty() && !toolCalls.isEmpty()) {
            message.putNull("content");
        }
        else {
            message.put("content", text.toString());
        }
        if (!toolCalls.isEmpty()) {
            message.set("tool_calls", toolCalls);
        }
    }

    private ObjectNode toolMessage(JsonNode block, String at) {
        ObjectNode message = json.createObjectNode();
        message.put("role", "tool");
        message.put("tool_call_id", requireString(block.path("tool_use_id"), at + ".tool_use_id"));
        if (block.path("is_error").asBoolean(false)) {
            // Not OpenAI's: the Anthropic and Gemini adapters tell the model the tool failed, the OpenAI one drops it.
            message.put("is_error", true);
        }
        JsonNode content = block.path("content");
        ArrayNode parts = json.createArrayNode();
        if (content.isString() && !content.stringValue().isEmpty()) {
            parts.addObject().put("type", "text").put("text", content.stringValue());
        }
        else if (content.isArray()) {
            for (int i = 0; i < content.size(); i++) {
                String partAt = at + ".content[" + i + "]";
                if (!"text".equals(content.get(i).path("type").asString(""))) {
                    throw unsupported(partAt + ".type", "Only text is supported inside a tool_result");
                }
                parts.add(textPart(content.get(i), partAt));
            }
        }
        // A cache breakpoint on the result (where an agent loop puts it: on the last block) marks its last text,
        // which ends the same prefix; dropped, every turn paid the whole conversation again.
        if (block.path("cache_control").isObject() && !parts.isEmpty()) {
            ((ObjectNode) parts.get(parts.size() - 1)).set("cache_control", block.path("cache_control"));
        }
        message.set("content", parts.isEmpty() ? json.getNodeFactory().stringNode("") : simplified(parts));
        return message;
    }

    private ObjectNode textPart(JsonNode block, String at) {
        if (!"text".equals(block.path("type").asString(""))) {
            throw unsupported(at + ".type", at + " must be a text block");
        }
        ObjectNode part = json.createObjectNode();
        part.put("type", "text");
        part.put("text", requireString(block.path("text"), at + ".text"));
        // Kept for providers that cache prompts (Anthropic); see the provider adapters for what each does with it.
        if (block.path("cache_control").isObject()) {
            part.set("cache_control", block.path("cache_control"));
        }
        return part;
    }

    private ObjectNode imagePart(JsonNode block, String at) {
        JsonNode source = block.path("source");
        String url = switch (source.path("type").asString("")) {
            case "base64" -> "data:" + requireString(source.path("media_type"), at + ".source.media_type") + ";base64,"
                    + requireString(source.path("data"), at + ".source.data");
            case "url" -> requireString(source.path("url"), at + ".source.url");
            default -> throw unsupported(at + ".source.type", "Image sources must be base64 or url");
        };
        ObjectNode part = json.createObjectNode();
        part.put("type", "image_url");
        part.putObject("image_url").put("url", url);
        // A breakpoint on an image ends a cached prefix as one on text does (Anthropic's adapter keeps it).
        if (block.path("cache_control").isObject()) {
            part.set("cache_control", block.path("cache_control"));
        }
        return part;
    }

    /** A lone text part without a cache marker becomes a plain string, which every OpenAI-compatible server takes. */
    private JsonNode simplified(ArrayNode parts) {
        if (parts.size() == 1 && "text".equals(parts.get(0).path("type").asString(""))
                && !parts.get(0).has("cache_control")) {
            return parts.get(0).path("text");
        }
        return parts;
    }

    private void tools(JsonNode messages, ObjectNode chat) {
        JsonNode tools = messages.path("tools");
        if (tools.isArray() && !tools.isEmpty()) {
            ArrayNode out = chat.putArray("tools");
            for (int i = 0; i < tools.size(); i++) {
                JsonNode tool = tools.get(i);
                String type = tool.path("type").asString("custom");
                if (!"custom".equals(type)) {
                    throw unsupported("tools[" + i + "].type", "Server tool '" + type
                            + "' is not supported by Tollgate's Messages API; only client tools are");
                }
                ObjectNode entry = out.addObject().put("type", "function");
                ObjectNode function = entry.putObject("function");
                if (tool.path("cache_control").isObject()) {
                    // Where the Anthropic adapter looks for it (OpenRouter's place for it on a tool).
                    entry.set("cache_control", tool.path("cache_control"));
                }
                function.put("name", requireString(tool.path("name"), "tools[" + i + "].name"));
                if (tool.path("description").isString()) {
                    function.put("description", tool.path("description").stringValue());
                }
                if (tool.path("input_schema").isObject()) {
                    function.set("parameters", tool.path("input_schema"));
                }
            }
        }
        JsonNode choice = messages.path("tool_choice");
        if (choice.isMissingNode() || choice.isNull()) {
            return;
        }
        switch (choice.path("type").asString("")) {
            case "auto" -> chat.put("tool_choice", "auto");
            case "any" -> chat.put("tool_choice", "required");
            case "none" -> chat.put("tool_choice", "none");
            case "tool" -> chat.putObject("tool_choice").put("type", "function").putObject("function")
                .put("name", requireString(choice.path("name"), "tool_choice.name"));
            default -> throw ApiException.invalidParam("tool_choice", "'tool_choice.type' must be auto, any, tool or "
                    + "none.");
        }
        if (choice.path("disable_parallel_tool_use").asBoolean(false)) {
            chat.put("parallel_tool_calls", false);
        }
    }

    private static void thinking(JsonNode thinking) {
        if (!thinking.isMissingNode() && !thinking.isNull() && !"disabled".equals(thinking.path("type").asString(""))) {
            throw unsupported("thinking", "Extended thinking is not supported by Tollgate's Messages API yet");
        }
    }

    private void outputFormat(JsonNode outputConfig, ObjectNode chat) {
        if (outputConfig.isMissingNode() || outputConfig.isNull()) {
            return;
        }
        for (Map.Entry<String, JsonNode> field : outputConfig.properties()) {
            if (!"format".equals(field.getKey()) && !field.getValue().isNull()) {
                throw unsupported("output_config." + field.getKey(), "'output_config." + field.getKey()
                        + "' is not supported by Tollgate's Messages API");
            }
        }
        JsonNode format = outputConfig.path("format");
        if (format.isMissingNode() || format.isNull()) {
            return;
        }
        if (!"json_schema".equals(format.path("type").asString("")) || !format.path("schema").isObject()) {
            throw ApiException.invalidParam("output_config.format", "'output_config.format' must be a json_schema "
                    + "format with a schema.");
        }
        ObjectNode jsonSchema = chat.putObject("response_format").put("type", "json_schema").putObject("json_schema");
        jsonSchema.put("name", "output");
        jsonSchema.set("schema", format.path("schema"));
    }

    private static void copyIfPresent(JsonNode from, String field, ObjectNode to, String as) {
        JsonNode value = from.path(field);
        if (!value.isMissingNode() && !value.isNull()) {
            to.set(as, value);
        }
    }

    private static String requireString(JsonNode value, String at) {
        if (!value.isString()) {
            throw ApiException.invalidParam(at, at + " must be a string.");
        }
        return value.stringValue();
    }

    private static ApiException unsupported(String param, String message) {
        return new ApiException(HttpStatus.BAD_REQUEST, "invalid_request_error", "unsupported_parameter",
                message + ".", param, Map.of(), null);
    }

}
