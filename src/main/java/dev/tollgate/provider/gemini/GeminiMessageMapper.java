package dev.tollgate.provider.gemini;

import java.util.HashMap;
import java.util.Map;

import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

import dev.tollgate.common.ApiException;

/**
 * OpenAI {@code messages} → Gemini {@code contents} and {@code systemInstruction}. Roles: user → {@code user},
 * assistant → {@code model}, system and developer → the system instruction, tool results → {@code functionResponse}
 * parts of a {@code user} turn. Consecutive turns of one kind are merged, so that the results of parallel tool calls
 * answer their calls in one turn as Gemini requires. Anything Gemini cannot take fails with a 400 naming the field.
 */
final class GeminiMessageMapper {

    private final JsonMapper json;

    GeminiMessageMapper(JsonMapper json) {
        this.json = json;
    }

    /** Fills {@code contents} and {@code systemParts} from the messages. */
    void map(JsonNode messages, ArrayNode contents, ArrayNode systemParts) {
        Turns turns = new Turns(contents);
        // Gemini names the function a result answers; OpenAI's tool message gives only the call's id.
        Map<String, String> functionByCallId = new HashMap<>();
        for (int i = 0; i < messages.size(); i++) {
            JsonNode message = messages.get(i);
            String path = "messages[" + i + "]";
            String role = message.path("role").stringValue();
            switch (role) {
                case "system", "developer" -> systemParts.addAll(textOnly(message.path("content"), path));
                case "user" -> turns.add("user", userParts(message.path("content"), path));
                case "assistant" -> turns.add("model", assistantParts(message, path, functionByCallId));
                case "tool" -> {
                    JsonNode callId = message.path("tool_call_id");
                    String function = callId.isString() ? functionByCallId.get(callId.stringValue()) : null;
                    if (function == null) {
                        throw ApiException.invalidParam(path + ".tool_call_id", path + ".tool_call_id must name a "
                                + "tool call of an earlier assistant message.");
                    }
                    turns.add("function", functionResponse(function, GeminiToolCallIds.geminiId(callId.stringValue()),
                            message.path("content"), message.path("is_error").asBoolean(false)));
                }
                case "function" -> turns.add("function",
                        functionResponse(requireText(message.path("name"), path + ".name"), null,
                                message.path("content"), false));
                default -> throw ApiException.invalidParam(path + ".role", path + ".role '" + role
                        + "' is not one of system, developer, user, assistant, tool.");
            }
        }
    }

    private ArrayNode textOnly(JsonNode content, String path) {
        ArrayNode parts = json.createArrayNode();
        if (content.isString()) {
            parts.addObject().put("text", content.stringValue());
            return parts;
        }
        if (content.isObject() || (content.isValueNode() && !content.isNull())) {
            // An object's size() counts its members and get(i) answers null for each.
            throw ApiException.invalidParam(path + ".content", path + ".content must be a string or an array of "
                    + "text parts.");
        }
        for (int i = 0; i < content.size(); i++) {
            JsonNode part = content.get(i);
            if (!"text".equals(part.path("type").stringValue(""))) {
                throw ApiException.invalidParam(path + ".content[" + i + "]",
                        "Only text can go in a " + path + " for Gemini models.");
            }
            parts.addObject().put("text", requireText(part.path("text"), path + ".content[" + i + "].text"));
        }
        return parts;
    }

    private ArrayNode userParts(JsonNode content, String path) {
        if (!content.isArray()) {
            return textOnly(content, path);
        }
        ArrayNode parts = json.createArrayNode();
        for (int i = 0; i < content.size(); i++) {
            JsonNode part = content.get(i);
            String at = path + ".content[" + i + "]";
            switch (part.path("type").asString("")) {
                case "text" -> parts.addObject().put("text", requireText(part.path("text"), at + ".text"));
                case "image_url" -> parts.addObject()
                    .set("inlineData", GeminiDataUrls.inlineData(json, part.path("image_url").path("url"), at));
                case "input_audio" -> parts.addObject().putObject("inlineData")
                    .put("mimeType", "audio/" + requireText(part.path("input_audio").path("format"), at + ".format"))
                    .put("data", requireText(part.path("input_audio").path("data"), at + ".data"));
                case "file" -> parts.addObject()
                    .set("inlineData", GeminiDataUrls.inlineData(json, part.path("file").path("file_data"), at));
                default -> throw ApiException.invalidParam(at + ".type", at + ".type '"
                        + part.path("type").asString("") + "' is not supported for Gemini models.");
            }
        }
        return parts;
    }

    private ArrayNode assistantParts(JsonNode message, String path, Map<String, String> functionByCallId) {
        ArrayNode parts = json.createArrayNode();
        JsonNode content = message.path("content");
        if (content.isString() && !content.stringValue().isEmpty()) {
            parts.addObject().put("text", content.stringValue());
        }
        else if (content.isArray()) {
            for (int i = 0; i < content.size(); i++) {
                JsonNode part = content.get(i);
                // A refusal is what the model said; Gemini has no such part, so it goes back as text.
                String text = part.path("text").isString() ? part.path("text").stringValue()
                        : part.path("refusal").asString("");
                if (!text.isEmpty()) {
                    parts.addObject().put("text", text);
                }
            }
        }
        JsonNode toolCalls = message.path("tool_calls");
        for (int i = 0; i < toolCalls.size(); i++) {
            JsonNode call = toolCalls.get(i);
            String at = path + ".tool_calls[" + i + "]";
            String id = requireText(call.path("id"), at + ".id");
            String name = requireText(call.path("function").path("name"), at + ".function.name");
            functionByCallId.put(id, name);
            ObjectNode part = parts.addObject();
            ObjectNode functionCall = part.putObject("functionCall");
            String geminiId = GeminiToolCallIds.geminiId(id);
            if (geminiId != null) {
                functionCall.put("id", geminiId);
            }
            functionCall.put("name", name)
                .set("args", arguments(call.path("function").path("arguments"), at + ".function.arguments"));
            String signature = GeminiToolCallIds.thoughtSignature(id);
            if (signature != null) {
                part.put("thoughtSignature", signature);
            }
        }
        JsonNode legacyCall = message.path("function_call");
        if (legacyCall.isObject()) {
            parts.addObject().putObject("functionCall")
                .put("name", requireText(legacyCall.path("name"), path + ".function_call.name"))
                .set("args", arguments(legacyCall.path("arguments"), path + ".function_call.arguments"));
        }
        return parts;
    }

    private JsonNode arguments(JsonNode arguments, String path) {
        if (arguments.isMissingNode() || arguments.isNull()
                || (arguments.isString() && arguments.stringValue().isBlank())) {
            return json.createObjectNode();
        }
        try {
            JsonNode parsed = arguments.isString() ? json.readTree(arguments.stringValue()) : arguments;
            if (parsed.isObject()) {
                return parsed;
            }
        }
        catch (JacksonException ignored) {
            // reported below
        }
        throw ApiException.invalidParam(path, path + " must be a JSON object (as a string) for Gemini models.");
    }

    /**
     * Gemini wants a JSON object as a function's response: a result that is one is sent as is, anything else as
     * {@code {"output": "<text>"}}, or {@code {"error": "<text>"}} for a failed tool's (the keys Gemini's API reference
     * names for a function's output and for its error details).
     */
    private ArrayNode functionResponse(String function, @Nullable String callId, JsonNode content, boolean failed) {
        StringBuilder text = new StringBuilder();
        if (content.isArray()) {
            content.forEach(part -> text.append(part.path("text").asString("")));
        }
        else {
            text.append(content.asString(""));
        }
        JsonNode result = null;
        try {
            JsonNode parsed = json.readTree(text.toString());
            result = parsed.isObject() ? parsed : null;
        }
        catch (JacksonException notJson) {
            // sent as text below
        }
        JsonNode response;
        if (failed) {
            // A failed tool's details, an object or text, go under "error" either way.
            ObjectNode error = json.createObjectNode();
            error.set("error", result != null ? result : json.getNodeFactory().stringNode(text.toString()));
            response = error;
        }
        else {
            response = result != null ? result : json.createObjectNode().put("output", text.toString());
        }
        ArrayNode parts = json.createArrayNode();
        ObjectNode functionResponse = parts.addObject().putObject("functionResponse");
        if (callId != null) {
            // The id of the call it answers, which Gemini wants back when it gave one.
            functionResponse.put("id", callId);
        }
        functionResponse.put("name", function).set("response", response);
        return parts;
    }

    private static String requireText(JsonNode value, String path) {
        if (!value.isString()) {
            throw ApiException.invalidParam(path, path + " must be a string.");
        }
        return value.stringValue();
    }

    /** Appends parts to the turn of the same kind before, or starts a new turn. */
    private static final class Turns {

        private final ArrayNode contents;
        private @Nullable String lastKind;
        private @Nullable ArrayNode lastParts;

        Turns(ArrayNode contents) {
            this.contents = contents;
        }

        /** {@code kind} is {@code user}, {@code model} or {@code function} (a user turn of function responses). */
        void add(String kind, ArrayNode parts) {
            if (parts.isEmpty()) {
                return;
            }
            if (kind.equals(lastKind) && lastParts != null) {
                lastParts.addAll(parts);
                return;
            }
            ObjectNode content = contents.addObject();
            content.put("role", "function".equals(kind) ? "user" : kind);
            lastParts = content.putArray("parts");
            lastParts.addAll(parts);
            lastKind = kind;
        }

    }

}
