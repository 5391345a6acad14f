package dev.tollgate.provider.anthropic;

import java.util.ArrayList;
import java.util.List;

import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

import dev.tollgate.provider.ToolCallIds;

import static dev.tollgate.provider.anthropic.AnthropicRequestMapper.invalid;
import static dev.tollgate.provider.anthropic.AnthropicRequestMapper.requireString;
import static dev.tollgate.provider.anthropic.AnthropicRequestMapper.unsupported;

/**
 * Translates OpenAI's {@code messages} into Anthropic's {@code system} and {@code messages}. System and developer
 * messages join the system prompt; content parts become content blocks (images from data URLs as base64 sources,
 * from http(s) URLs as url sources); assistant tool calls become {@code tool_use} blocks and {@code tool} messages
 * {@code tool_result} blocks; consecutive messages of one role are merged, as Anthropic wants roles to alternate, and
 * empty ones left out, as it wants every turn to have content.
 */
final class AnthropicConversationMapper {

    private final JsonMapper json;
    private final String provider;

    AnthropicConversationMapper(JsonMapper json, String provider) {
        this.json = json;
        this.provider = provider;
    }

    /** The system prompt and the alternating turns of {@code messages}; a 400 for what Anthropic cannot take. */
    Conversation map(JsonNode messages) {
        ArrayNode system = json.createArrayNode();
        List<Turn> turns = new ArrayList<>();
        for (int i = 0; i < messages.size(); i++) {
            JsonNode message = messages.get(i);
            String at = "messages[" + i + "]";
            String role = message.path("role").asString("");
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
        if (turns.isEmpty()) {
            throw invalid("messages", "Every message is empty; provider " + provider
                    + " needs at least one with content");
        }
        ArrayNode out = json.createArrayNode();
        for (Turn turn : turns) {
            ObjectNode message = out.addObject();
            message.put("role", turn.role());
            message.set("content", turn.blocks());
        }
        return new Conversation(system, out);
    }

    /**
     * Appends blocks to the last turn when it has the same role, as Anthropic requires alternating roles. A message
     * with nothing in it (OpenAI takes {@code ""}) is left out: Anthropic refuses a turn without content, and the turns
     * either side of it then merge.
     */
    private static void add(List<Turn> turns, String role, ArrayNode blocks) {
        if (blocks.isEmpty()) {
            return;
        }
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
            block.put("id", ToolCallIds.portable(requireString(call.path("id"), callAt + ".id")));
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
            JsonNode parsed = json.readTree(arguments.asString(""));
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
        block.put("tool_use_id", ToolCallIds.portable(requireString(message.path("tool_call_id"),
                at + ".tool_call_id")));
        if (message.path("is_error").asBoolean(false)) {
            // A failed tool's result, as Tollgate's Messages API carries it (OpenAI's tool message has no such field).
            block.put("is_error", true);
        }
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
            if (!"text".equals(part.path("type").asString(""))) {
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
            String type = part.path("type").asString("");
            switch (type) {
                case "text" -> {
                    // Anthropic rejects empty text blocks, so an empty or absent text is left out; any other goes on
                    // to textBlock, which refuses one that is not a string, naming the field.
                    JsonNode text = part.path("text");
                    boolean empty = text.isMissingNode() || text.isNull()
                            || (text.isString() && text.stringValue().isEmpty());
                    if (!empty) {
                        into.add(textBlock(part, partAt));
                    }
                }
                case "refusal" -> into.addObject().put("type", "text").put("text", part.path("refusal").asString(""));
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
    static void copyCacheControl(JsonNode part, ObjectNode block) {
        JsonNode cacheControl = part.path("cache_control");
        if (cacheControl.isObject()) {
            block.set("cache_control", cacheControl);
        }
    }

    record Conversation(ArrayNode system, ArrayNode messages) {
    }

    private record Turn(String role, ArrayNode blocks) {
    }

}
