package dev.tollgate.provider.openai;

import java.io.ByteArrayOutputStream;
import java.util.Map;

import tools.jackson.core.JsonGenerator;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import dev.tollgate.provider.ChatCall;

/**
 * The client's request is already in OpenAI's format: only the model id changes, a stream asks for usage in its last
 * chunk so that every streamed call can be billed from the provider's own count, and, for a server that only knows
 * the older name, the output cap is sent as {@code max_tokens}. The request is written field by field with those
 * changes, never copied (a prompt can be megabytes).
 */
final class OpenAiRequestMapper {

    private final JsonMapper json;
    private final boolean streamOptions;
    private final boolean maxCompletionTokens;

    OpenAiRequestMapper(JsonMapper json, boolean streamOptions, boolean maxCompletionTokens) {
        this.json = json;
        this.streamOptions = streamOptions;
        this.maxCompletionTokens = maxCompletionTokens;
    }

    OpenAiRequestMapper(JsonMapper json, boolean streamOptions) {
        this(json, streamOptions, true);
    }

    byte[] toBody(ChatCall call) {
        ExactBytes bytes = new ExactBytes();
        try (JsonGenerator out = json.createGenerator(bytes)) {
            out.writeStartObject();
            out.writeStringProperty("model", call.upstreamModel());
            // The cap the credit hold counted on: max_completion_tokens when the client sent it, as ChatRequestReader.
            boolean renameCap = !maxCompletionTokens && call.request().has("max_completion_tokens");
            for (Map.Entry<String, JsonNode> field : call.request().properties()) {
                String name = field.getKey();
                if (renameCap && name.equals("max_tokens")) {
                    continue;
                }
                if (!name.equals("model") && !name.equals("stream") && !name.equals("stream_options")) {
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
