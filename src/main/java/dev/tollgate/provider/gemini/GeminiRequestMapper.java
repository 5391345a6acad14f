package dev.tollgate.provider.gemini;

import java.util.Map;

import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

import dev.tollgate.common.ApiException;
import dev.tollgate.provider.ChatCall;

/**
 * An OpenAI Chat Completions request → a Gemini {@code generateContent} body. Sampling parameters go to
 * {@code generationConfig}, tools to {@code functionDeclarations}, {@code tool_choice} to {@code toolConfig}; a
 * parameter Gemini has no equivalent for fails with a 400 naming it rather than being dropped silently.
 */
final class GeminiRequestMapper {

    private final JsonMapper json;
    private final GeminiMessageMapper messages;

    GeminiRequestMapper(JsonMapper json) {
        this.json = json;
        this.messages = new GeminiMessageMapper(json);
    }

    byte[] toBody(ChatCall call) {
        return json.writeValueAsBytes(toRequest(call.request(), call.outputCap()));
    }

    ObjectNode toRequest(ObjectNode request) {
        return toRequest(request, null);
    }

    /** @param outputCap {@code maxOutputTokens} when the request gives none ({@link ChatCall#outputCap()}) */
    ObjectNode toRequest(ObjectNode request, @Nullable Integer outputCap) {
        ObjectNode body = json.createObjectNode();
        ArrayNode contents = body.putArray("contents");
        ArrayNode systemParts = json.createArrayNode();
        messages.map(request.path("messages"), contents, systemParts);
        if (!systemParts.isEmpty()) {
            body.putObject("systemInstruction").set("parts", systemParts);
        }
        ObjectNode config = json.createObjectNode();
        for (Map.Entry<String, JsonNode> field : request.properties()) {
            String name = field.getKey();
            JsonNode value = field.getValue();
            if (value.isNull()) {
                continue;
            }
            switch (name) {
                // Routing and bookkeeping fields with no meaning for Gemini's answer (OpenAI's prompt cache key and its
                // end-user identifier, the successor of user, included, as the Anthropic adapter ignores them).
                case "model", "messages", "stream", "stream_options", "user", "metadata", "store", "service_tier",
                        "prompt_cache_key", "safety_identifier" -> {
                }
                case "temperature" -> config.set("temperature", number(name, value));
                case "top_p" -> config.set("topP", number(name, value));
                case "top_k" -> config.set("topK", integer(name, value));
                case "max_completion_tokens" -> config.set("maxOutputTokens", integer(name, value));
                // The older name only when the newer is absent: the credit hold counted on max_completion_tokens.
                case "max_tokens" -> {
                    if (!request.hasNonNull("max_completion_tokens")) {
                        config.set("maxOutputTokens", integer(name, value));
                    }
                }
                case "n" -> config.set("candidateCount", integer(name, value));
                case "presence_penalty" -> config.set("presencePenalty", number(name, value));
                case "frequency_penalty" -> config.set("frequencyPenalty", number(name, value));
                case "seed" -> config.set("seed", integer(name, value));
                case "stop" -> config.set("stopSequences", stopSequences(value));
                case "response_format" -> responseFormat(value, config);
                case "reasoning_effort" -> thinking(config).put("thinkingBudget", thinkingBudget(name, value));
                case "reasoning" -> reasoning(value, config);
                case "tools" -> body.set("tools", tools(value));
                case "tool_choice" -> body.set("toolConfig", toolChoice(value));
                case "parallel_tool_calls" -> {
                    if (!value.asBoolean(true)) {
                        throw unsupported(name, "Gemini may always call several functions at once");
                    }
                }
                case "logprobs" -> {
                    if (value.asBoolean(false)) {
                        throw unsupported(name, "Tollgate does not translate Gemini's log probabilities");
                    }
                }
                default -> throw unsupported(name, null);
            }
        }
        if (outputCap != null && !config.has("maxOutputTokens")) {
            config.put("maxOutputTokens", outputCap);
        }
        if (!config.isEmpty()) {
            body.set("generationConfig", config);
        }
        return body;
    }

    private JsonNode stopSequences(JsonNode stop) {
        if (stop.isString()) {
            return json.createArrayNode().add(stop.stringValue());
        }
        if (!stop.isArray() || !stop.valueStream().allMatch(JsonNode::isString)) {
            throw ApiException.invalidParam("stop", "'stop' must be a string or an array of strings.");
        }
        return stop;
    }

    private void responseFormat(JsonNode format, ObjectNode config) {
        switch (format.path("type").asString("")) {
            case "text" -> {
            }
            case "json_object" -> config.put("responseMimeType", "application/json");
            case "json_schema" -> {
                JsonNode schema = format.path("json_schema").path("schema");
                if (!schema.isObject()) {
                    throw ApiException.invalidParam("response_format.json_schema.schema",
                            "'response_format.json_schema.schema' must be a JSON schema object.");
                }
                config.put("responseMimeType", "application/json");
                config.set("responseJsonSchema", schema);
            }
            default -> throw ApiException.invalidParam("response_format.type",
                    "'response_format.type' must be text, json_object or json_schema.");
        }
    }

    /** OpenRouter's {@code reasoning}: a thinking budget (or an effort) and whether the thoughts are shown. */
    private void reasoning(JsonNode reasoning, ObjectNode config) {
        if (!reasoning.isObject()) {
            throw ApiException.invalidParam("reasoning", "'reasoning' must be an object.");
        }
        ObjectNode thinking = thinking(config);
        if (!reasoning.path("enabled").asBoolean(true)) {
            thinking.put("thinkingBudget", 0);
            return;
        }
        if (reasoning.has("max_tokens")) {
            thinking.set("thinkingBudget", integer("reasoning.max_tokens", reasoning.get("max_tokens")));
        }
        else if (reasoning.has("effort")) {
            thinking.put("thinkingBudget", thinkingBudget("reasoning.effort", reasoning.get("effort")));
        }
        thinking.put("includeThoughts", !reasoning.path("exclude").asBoolean(false));
    }

    private static ObjectNode thinking(ObjectNode config) {
        return config.has("thinkingConfig") ? (ObjectNode) config.get("thinkingConfig")
                : config.putObject("thinkingConfig");
    }

    /**
     * OpenAI's reasoning effort as a Gemini 2.5 thinking budget, as Google's own OpenAI-compatible endpoint maps it
     * (low 1K, medium 8K, high 24K tokens, none turns thinking off; https://ai.google.dev/gemini-api/docs/openai).
     * OpenAI's minimal gets the smallest budget Google names.
     */
    private static int thinkingBudget(String name, JsonNode effort) {
        return switch (effort.asString("")) {
            case "none" -> 0;
            case "minimal", "low" -> 1024;
            case "medium" -> 8192;
            case "high" -> 24576;
            default -> throw ApiException.invalidParam(name, "'" + name + "' must be none, minimal, low, medium or "
                    + "high.");
        };
    }

    private ArrayNode tools(JsonNode tools) {
        if (!tools.isArray()) {
            throw ApiException.invalidParam("tools", "'tools' must be an array.");
        }
        ArrayNode declarations = json.createArrayNode();
        for (int i = 0; i < tools.size(); i++) {
            JsonNode tool = tools.get(i);
            JsonNode function = tool.path("function");
            if (!"function".equals(tool.path("type").stringValue("")) || !function.path("name").isString()) {
                throw ApiException.invalidParam("tools[" + i + "]", "tools[" + i + "] must be a function tool "
                        + "({\"type\":\"function\",\"function\":{\"name\",…}}); Gemini models take no other kind.");
            }
            ObjectNode declaration = declarations.addObject();
            declaration.put("name", function.get("name").stringValue());
            if (function.path("description").isString()) {
                declaration.put("description", function.get("description").stringValue());
            }
            // parametersJsonSchema takes the JSON Schema OpenAI clients write, unlike the OpenAPI subset of
            // `parameters` (which rejects e.g. additionalProperties).
            if (function.path("parameters").isObject() && !function.get("parameters").isEmpty()) {
                declaration.set("parametersJsonSchema", function.get("parameters"));
            }
        }
        ArrayNode geminiTools = json.createArrayNode();
        geminiTools.addObject().set("functionDeclarations", declarations);
        return geminiTools;
    }

    private ObjectNode toolChoice(JsonNode choice) {
        ObjectNode config = json.createObjectNode();
        ObjectNode calling = config.putObject("functionCallingConfig");
        if (choice.isString()) {
            switch (choice.stringValue()) {
                case "none" -> calling.put("mode", "NONE");
                case "auto" -> calling.put("mode", "AUTO");
                case "required" -> calling.put("mode", "ANY");
                default -> throw ApiException.invalidParam("tool_choice",
                        "'tool_choice' must be none, auto, required or a function.");
            }
            return config;
        }
        JsonNode name = choice.path("function").path("name");
        if (!"function".equals(choice.path("type").stringValue("")) || !name.isString()) {
            throw unsupported("tool_choice", "only none, auto, required or one function can be chosen");
        }
        calling.put("mode", "ANY");
        calling.putArray("allowedFunctionNames").add(name.stringValue());
        return config;
    }

    private static JsonNode number(String name, JsonNode value) {
        if (!value.isNumber()) {
            throw ApiException.invalidParam(name, "'" + name + "' must be a number.");
        }
        return value;
    }

    private static JsonNode integer(String name, JsonNode value) {
        if (!value.isIntegralNumber()) {
            throw ApiException.invalidParam(name, "'" + name + "' must be an integer.");
        }
        return value;
    }

    private static ApiException unsupported(String name, @Nullable String why) {
        return ApiException.invalidParam(name, "'" + name + "' is not supported for Gemini models"
                + (why == null ? "." : " (" + why + ")."));
    }

}
