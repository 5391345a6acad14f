package dev.tollgate.provider.openai;

import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

import dev.tollgate.provider.ChatCompletion;
import dev.tollgate.provider.TokenUsage;
import dev.tollgate.provider.UpstreamException;

/** Reads a {@code chat.completion} body and its usage. */
final class OpenAiResponseMapper {

    private final JsonMapper json;
    private final String provider;

    OpenAiResponseMapper(JsonMapper json, String provider) {
        this.json = json;
        this.provider = provider;
    }

    ChatCompletion toCompletion(byte[] bytes) {
        JsonNode root;
        try {
            root = json.readTree(bytes);
        }
        catch (JacksonException ex) {
            throw UpstreamException.malformed(provider, "a body that is not JSON");
        }
        if (!(root instanceof ObjectNode body) || !body.path("choices").isArray()) {
            throw UpstreamException.malformed(provider, "a body that is not a chat completion");
        }
        JsonNode usage = body.path("usage");
        return new ChatCompletion(body, usage.isObject() ? OpenAiUsage.from(usage) : TokenUsage.NONE);
    }

}
