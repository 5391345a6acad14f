package dev.tollgate.provider.openai;

import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

import dev.tollgate.provider.ChatCompletion;
import dev.tollgate.provider.TokenUsage;
import dev.tollgate.provider.UpstreamException;

/**
 * Reads a {@code chat.completion} body and its usage: scanned and relayed as its bytes when it has the usual shape
 * ({@link OpenAiCompletionScanner}), read as a tree otherwise.
 */
final class OpenAiResponseMapper {

    private final JsonMapper json;
    private final String provider;
    private final OpenAiCompletionScanner scanner;

    OpenAiResponseMapper(JsonMapper json, String provider) {
        this.json = json;
        this.provider = provider;
        this.scanner = new OpenAiCompletionScanner(json);
    }

    ChatCompletion toCompletion(byte[] bytes) {
        ChatCompletion scanned = scanner.scan(bytes);
        return scanned != null ? scanned : treeOf(bytes);
    }

    /** The answer read as a tree, the way for any shape the scanner leaves alone. */
    ChatCompletion treeOf(byte[] bytes) {
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
        return new ChatCompletion(body, usage.isObject() ? OpenAiUsage.from(usage, provider) : TokenUsage.NONE);
    }

}
