package dev.tollgate.provider.anthropic;

import java.util.List;
import java.util.Map;
import java.util.Set;

import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpStatus;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

import dev.tollgate.common.ApiException;
import dev.tollgate.common.JsonNumbers;
import dev.tollgate.provider.ChatCall;

/**
 * Translates an OpenAI Chat Completions request into an Anthropic Messages request: the conversation (see
 * {@link AnthropicConversationMapper}), sampling parameters, stop sequences, tools and tool choice, and JSON-schema
 * output. A parameter Anthropic cannot honour is a 400 naming it, never dropped silently.
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
    private final AnthropicConversationMapper conversations;

    AnthropicRequestMapper(JsonMapper json, String provider) {
        this.json = json;
        this.provider = provider;
        this.conversations = new AnthropicConversationMapper(json, provider);
    }

    byte[] toBody(ChatCall call) {
        return json.writeValueAsBytes(toRequest(call));
    }

    ObjectNode toRequest(ChatCall call) {
        ObjectNode openAi = call.request();
        checkSupported(openAi);
        ObjectNode body = json.createObjectNode();
        body.put("model", call.upstreamModel());
        body.put("max_tokens", maxTokens(openAi, call.outputCap()));
        AnthropicConversationMapper.Conversation conversation = conversations.map(openAi.path("messages"));
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
                if (!value.asString("").equals(onlyDefault) && !(value.isNumber() && value.asDouble() == 0
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
                if (!"text".equals(modality.asString(""))) {
                    throw unsupported("modalities", "Provider " + provider + " answers with text only");
                }
            }
        }
    }

    /** The request's cap, else the one the credit hold assumed, else the default. */
    private static long maxTokens(ObjectNode openAi, @Nullable Integer outputCap) {
        for (String field : List.of("max_completion_tokens", "max_tokens")) {
            JsonNode value = openAi.path(field);
            if (JsonNumbers.isWholeNumberIn(value, 1, Long.MAX_VALUE)) {
                return value.asLong();
            }
        }
        return outputCap != null ? outputCap : DEFAULT_MAX_TOKENS;
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
                if (!"function".equals(tool.path("type").asString(""))) {
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
                AnthropicConversationMapper.copyCacheControl(tool, anthropic);
            }
        }
        ObjectNode choice = toolChoice(openAi.path("tool_choice"));
        JsonNode parallel = openAi.path("parallel_tool_calls");
        if (parallel.isBoolean() && !parallel.booleanValue() && body.has("tools")) {
            if (choice == null) {
                choice = json.createObjectNode().put("type", "auto");
            }
            if (!"none".equals(choice.path("type").asString(""))) {
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
        String name = choice.path("function").path("name").asString("");
        if (!"function".equals(choice.path("type").asString("")) || name.isEmpty()) {
            throw invalid("tool_choice", "'tool_choice' must be auto, required, none or a function");
        }
        return json.createObjectNode().put("type", "tool").put("name", name);
    }

    /** Anthropic's structured outputs ({@code output_config.format}) take a JSON schema, as OpenAI's json_schema. */
    private void responseFormat(JsonNode format, ObjectNode body) {
        if (format.isMissingNode() || format.isNull()) {
            return;
        }
        switch (format.path("type").asString("")) {
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
            default -> throw unsupported("response_format", "'response_format' " + format.path("type").asString("")
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

    static String requireString(JsonNode value, String at) {
        if (!value.isString()) {
            throw invalid(at, at + " must be a string");
        }
        return value.stringValue();
    }

    static ApiException invalid(String param, String message) {
        return ApiException.invalidParam(param, message + ".");
    }

    static ApiException unsupported(String param, String message) {
        return new ApiException(HttpStatus.BAD_REQUEST, "invalid_request_error", "unsupported_parameter",
                message + ".", param, Map.of(), null);
    }


}
