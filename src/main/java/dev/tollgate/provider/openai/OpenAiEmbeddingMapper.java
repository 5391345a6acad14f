package dev.tollgate.provider.openai;

import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

import dev.tollgate.provider.EmbeddingProvider;
import dev.tollgate.provider.TokenCounts;
import dev.tollgate.provider.TokenUsage;
import dev.tollgate.provider.UpstreamException;

/** OpenAI's {@code /embeddings} speaks Tollgate's format already: only the model id changes on the way out. */
final class OpenAiEmbeddingMapper {

    private final JsonMapper json;
    private final String provider;

    OpenAiEmbeddingMapper(JsonMapper json, String provider) {
        this.json = json;
        this.provider = provider;
    }

    byte[] toBody(EmbeddingProvider.EmbeddingCall call) {
        ObjectNode body = call.request().deepCopy();
        body.put("model", call.upstreamModel());
        return json.writeValueAsBytes(body);
    }

    EmbeddingProvider.Embeddings toEmbeddings(byte[] bytes) {
        JsonNode root;
        try {
            root = json.readTree(bytes);
        }
        catch (JacksonException ex) {
            throw UpstreamException.malformed(provider, "a body that is not JSON");
        }
        if (!(root instanceof ObjectNode body) || !body.path("data").isArray()) {
            throw UpstreamException.malformed(provider, "a body that is not a list of embeddings");
        }
        JsonNode promptTokens = body.path("usage").path("prompt_tokens");
        return new EmbeddingProvider.Embeddings(body,
                TokenUsage.of(TokenCounts.of(promptTokens, 0, provider), 0));
    }

}
