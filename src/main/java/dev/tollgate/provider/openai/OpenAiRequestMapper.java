package dev.tollgate.provider.openai;

import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

import dev.tollgate.provider.ChatCall;

/**
 * The client's request is already in OpenAI's format: only the model id changes, and a stream asks for usage in
 * its last chunk so that every streamed call can be billed from the provider's own count.
 */
final class OpenAiRequestMapper {

    private final JsonMapper json;
    private final boolean streamOptions;

    OpenAiRequestMapper(JsonMapper json, boolean streamOptions) {
        this.json = json;
        this.streamOptions = streamOptions;
    }

    byte[] toBody(ChatCall call) {
        ObjectNode body = call.request().deepCopy();
        body.put("model", call.upstreamModel());
        if (call.stream()) {
            body.put("stream", true);
            if (streamOptions) {
                ObjectNode options = body.path("stream_options").isObject()
                        ? (ObjectNode) body.get("stream_options") : body.putObject("stream_options");
                options.put("include_usage", true);
            }
            else {
                body.remove("stream_options");
            }
        }
        else {
            body.remove("stream");
            body.remove("stream_options");
        }
        return json.writeValueAsBytes(body);
    }

}
