package dev.tollgate.provider.openai;

import java.io.ByteArrayOutputStream;
import java.util.Map;

import org.springframework.http.HttpStatus;
import tools.jackson.core.JsonGenerator;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import dev.tollgate.common.ApiException;
import dev.tollgate.provider.ChatCall;
import dev.tollgate.provider.ToolCallIds;

/**
 * The client's request is already in OpenAI's format: only the model id changes, a stream asks for usage in its last
 * chunk so that every streamed call can be billed from the provider's own count, and, for a server that only knows
 * the older name, the output cap is sent as {@code max_tokens}. OpenAI itself is not sent what it refuses and has no
 * use for ({@code top_k}, cache markers), and no server Tollgate's own {@code is_error} (see {@link #writeMessages}).
 * The request is written field by field with those changes, never copied (a prompt can be megabytes).
 */
final class OpenAiRequestMapper {

    private static final String IS_ERROR = "is_error";

    private static final String CACHE_CONTROL = "cache_control";

    private static final String TOOL_CALL_ID = "tool_call_id";

    private static final String TOOL_CALLS = "tool_calls";

    private final JsonMapper json;
    private final boolean streamOptions;
    private final boolean maxCompletionTokens;
    private final boolean official;

    /**
     * @param official whether the server is OpenAI's own (api.openai.com or Azure OpenAI), which refuses parameters
     *     other servers take ({@code top_k})
     */
    OpenAiRequestMapper(JsonMapper json, boolean streamOptions, boolean maxCompletionTokens, boolean official) {
        this.json = json;
        this.streamOptions = streamOptions;
        this.maxCompletionTokens = maxCompletionTokens;
        this.official = official;
    }

    byte[] toBody(ChatCall call) {
        ExactBytes bytes = new ExactBytes();
        try (JsonGenerator out = json.createGenerator(bytes)) {
            out.writeStartObject();
            out.writeStringProperty("model", call.upstreamModel());
            // The cap the credit hold counted on: max_completion_tokens when the client sent it, as ChatRequestReader.
            boolean renameCap = !maxCompletionTokens && call.request().hasNonNull("max_completion_tokens");
            for (Map.Entry<String, JsonNode> field : call.request().properties()) {
                String name = field.getKey();
                if (renameCap && name.equals("max_tokens")) {
                    continue;
                }
                if ((name.equals("max_completion_tokens") || name.equals("max_tokens")) && field.getValue().isNull()) {
                    // An empty cap (openai-python's None) is no cap: left out, so that neither the other name nor the
                    // hold's cap written below goes out beside it, the same key twice.
                    continue;
                }
                if (official && name.equals("service_tier")) {
                    checkTier(field.getValue());
                }
                if (official && name.equals("top_k")) {
                    // OpenAI refuses it; like OpenRouter, a sampling parameter the model lacks is ignored.
                    continue;
                }
                if (name.equals("messages")) {
                    out.writeName(name);
                    writeMessages(out, field.getValue(), official);
                }
                else if (official && name.equals("tools")) {
                    out.writeName(name);
                    writeTools(out, field.getValue());
                }
                else if (!name.equals("model") && !name.equals("stream") && !name.equals("stream_options")) {
                    out.writeName(renameCap && name.equals("max_completion_tokens") ? "max_tokens" : name);
                    out.writeTree(field.getValue());
                }
            }
            Integer outputCap = call.outputCap();
            if (outputCap != null && !call.request().hasNonNull("max_completion_tokens")
                    && !call.request().hasNonNull("max_tokens")) {
                // The cap the credit hold assumed: without it the provider's own maximum, which the hold knows not.
                out.writeNumberProperty(maxCompletionTokens ? "max_completion_tokens" : "max_tokens", outputCap);
            }
            if (call.stream()) {
                out.writeBooleanProperty("stream", true);
                JsonNode clientOptions = call.request().path("stream_options");
                if (streamOptions) {
                    out.writeObjectPropertyStart("stream_options");
                    for (Map.Entry<String, JsonNode> option : clientOptions.properties()) {
                        if (!option.getKey().equals("include_usage")) {
                            out.writeName(option.getKey());
                            out.writeTree(option.getValue());
                        }
                    }
                    out.writeBooleanProperty("include_usage", true);
                    out.writeEndObject();
                }
            }
            out.writeEndObject();
        }
        return bytes.bytes();
    }

    /**
     * OpenAI bills the {@code priority} tier at about twice the standard price and {@code flex} at about half, and
     * Tollgate's catalog has the standard price only: either would be billed wrong, so only the standard tier is sent.
     */
    private static void checkTier(JsonNode tier) {
        if (tier.isString() && !"auto".equals(tier.stringValue()) && !"default".equals(tier.stringValue())) {
            throw new ApiException(HttpStatus.BAD_REQUEST, "invalid_request_error", "unsupported_parameter",
                    "'service_tier' " + tier.stringValue() + " is not offered: Tollgate prices calls at the standard"
                            + " tier (auto or default).", "service_tier", Map.of(), null);
        }
    }

    /**
     * The messages as they came, but for the {@code is_error} flag Tollgate's Messages API puts on a failed tool's
     * result, which no OpenAI-format server has, and, for OpenAI and Azure, Anthropic's {@code cache_control} marker on
     * content parts: OpenAI caches prompts by itself and refuses fields it does not know ("Unrecognized request
     * argument supplied: cache_control", as reported from Azure), where OpenRouter, say, passes the marker on to the
     * models that cache. OpenAI and Azure also get tool-call ids they take ({@link ToolCallIds}). A message with none
     * of these is written whole.
     */
    private static void writeMessages(JsonGenerator out, JsonNode messages, boolean official) {
        if (!messages.isArray()) {
            out.writeTree(messages);
            return;
        }
        out.writeStartArray();
        for (JsonNode message : messages) {
            JsonNode content = message.path("content");
            boolean markedParts = official && content.isArray() && anyHas(content, CACHE_CONTROL);
            boolean foreignIds = official && hasForeignIds(message);
            if (!markedParts && !foreignIds && !message.has(IS_ERROR)) {
                out.writeTree(message);
                continue;
            }
            out.writeStartObject();
            for (Map.Entry<String, JsonNode> field : message.properties()) {
                String name = field.getKey();
                if (name.equals(IS_ERROR)) {
                    continue;
                }
                out.writeName(name);
                if (markedParts && name.equals("content")) {
                    writeEach(out, content, CACHE_CONTROL);
                }
                else if (foreignIds && name.equals(TOOL_CALL_ID) && field.getValue().isString()) {
                    out.writeString(ToolCallIds.portable(field.getValue().stringValue()));
                }
                else if (foreignIds && name.equals(TOOL_CALLS) && field.getValue().isArray()) {
                    writeToolCalls(out, field.getValue());
                }
                else {
                    out.writeTree(field.getValue());
                }
            }
            out.writeEndObject();
        }
        out.writeEndArray();
    }

    private static boolean hasForeignIds(JsonNode message) {
        JsonNode resultOf = message.path(TOOL_CALL_ID);
        if (resultOf.isString() && !ToolCallIds.isPortable(resultOf.stringValue())) {
            return true;
        }
        for (JsonNode call : message.path(TOOL_CALLS)) {
            if (call.path("id").isString() && !ToolCallIds.isPortable(call.path("id").stringValue())) {
                return true;
            }
        }
        return false;
    }

    private static void writeToolCalls(JsonGenerator out, JsonNode calls) {
        out.writeStartArray();
        for (JsonNode call : calls) {
            if (!call.isObject() || !call.path("id").isString()) {
                out.writeTree(call);
                continue;
            }
            out.writeStartObject();
            for (Map.Entry<String, JsonNode> field : call.properties()) {
                out.writeName(field.getKey());
                if (field.getKey().equals("id")) {
                    out.writeString(ToolCallIds.portable(field.getValue().stringValue()));
                }
                else {
                    out.writeTree(field.getValue());
                }
            }
            out.writeEndObject();
        }
        out.writeEndArray();
    }

    /** Tools for OpenAI and Azure: as they came, but for the {@code cache_control} marker ({@link #writeMessages}). */
    private static void writeTools(JsonGenerator out, JsonNode tools) {
        if (tools.isArray() && anyHas(tools, CACHE_CONTROL)) {
            writeEach(out, tools, CACHE_CONTROL);
        }
        else {
            out.writeTree(tools);
        }
    }

    private static boolean anyHas(JsonNode array, String field) {
        for (JsonNode element : array) {
            if (element.has(field)) {
                return true;
            }
        }
        return false;
    }

    /** The array's elements, each object without the field. */
    private static void writeEach(JsonGenerator out, JsonNode array, String leftOut) {
        out.writeStartArray();
        for (JsonNode element : array) {
            if (!element.has(leftOut)) {
                out.writeTree(element);
                continue;
            }
            out.writeStartObject();
            for (Map.Entry<String, JsonNode> field : element.properties()) {
                if (!field.getKey().equals(leftOut)) {
                    out.writeName(field.getKey());
                    out.writeTree(field.getValue());
                }
            }
            out.writeEndObject();
        }
        out.writeEndArray();
    }

    /**
     * What the generator writes. It writes a body smaller than its own (recycled) buffer in one go when closed; that
     * write's array, made to its size, is the body, where a 1 KiB buffer and the copy out of it were 3% of what a
     * non-streaming call allocated (README "Benchmarks"). A larger body comes in several writes and is copied once.
     */
    private static final class ExactBytes extends ByteArrayOutputStream {

        ExactBytes() {
            super(0);
        }

        byte[] bytes() {
            return count == buf.length ? buf : toByteArray();
        }
    }

}
