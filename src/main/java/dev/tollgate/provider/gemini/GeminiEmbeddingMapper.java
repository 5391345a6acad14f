package dev.tollgate.provider.gemini;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

import dev.tollgate.common.ApiException;
import dev.tollgate.provider.TokenCounts;
import dev.tollgate.provider.UpstreamException;

/**
 * OpenAI embeddings requests and answers ↔ Gemini's {@code batchEmbedContents} and {@code countTokens}. Gemini
 * embeds text only (no token arrays), takes {@code dimensions} as {@code outputDimensionality}, and answers plain
 * float vectors: {@code encoding_format: "base64"} (what OpenAI's Python and Node SDKs ask for by default) is
 * produced here as OpenAI does it, little-endian float32 in base64.
 */
final class GeminiEmbeddingMapper {

    /** The most texts Gemini takes in one {@code batchEmbedContents} call. */
    static final int BATCH_SIZE = 100;

    private final JsonMapper json;
    private final String provider;

    GeminiEmbeddingMapper(JsonMapper json, String provider) {
        this.json = json;
        this.provider = provider;
    }

    /** The texts to embed, in order; token arrays and other parameters Gemini lacks fail with a 400. */
    List<String> texts(ObjectNode request) {
        for (String field : request.propertyNames()) {
            if (!List.of("model", "input", "encoding_format", "dimensions", "user").contains(field)) {
                throw ApiException.invalidParam(field, "'" + field + "' is not supported for Gemini embedding models.");
            }
        }
        JsonNode input = request.path("input");
        if (input.isString()) {
            return List.of(input.stringValue());
        }
        List<String> texts = new ArrayList<>(input.size());
        for (JsonNode text : input) {
            if (!text.isString()) {
                throw ApiException.invalidParam("input", "Gemini embedding models take text only, not token ids.");
            }
            texts.add(text.stringValue());
        }
        return texts;
    }

    byte[] batchBody(String model, List<String> texts, JsonNode dimensions) {
        ObjectNode body = json.createObjectNode();
        ArrayNode requests = body.putArray("requests");
        for (String text : texts) {
            ObjectNode request = requests.addObject();
            request.put("model", "models/" + model);
            request.putObject("content").putArray("parts").addObject().put("text", text);
            if (dimensions.isIntegralNumber()) {
                request.put("outputDimensionality", dimensions.asInt());
            }
        }
        return json.writeValueAsBytes(body);
    }

    byte[] countTokensBody(List<String> texts) {
        ObjectNode body = json.createObjectNode();
        ArrayNode contents = body.putArray("contents");
        texts.forEach(text -> contents.addObject().putArray("parts").addObject().put("text", text));
        return json.writeValueAsBytes(body);
    }

    /** One batch's answer: its vectors, and the input tokens if Gemini reported them (it usually does not). */
    Batch readBatch(byte[] bytes, int expected) {
        JsonNode root = readTree(bytes);
        JsonNode embeddings = root.path("embeddings");
        if (embeddings.size() != expected) {
            throw UpstreamException.malformed(provider, embeddings.size() + " embeddings for " + expected + " texts");
        }
        List<JsonNode> vectors = new ArrayList<>(expected);
        for (JsonNode embedding : embeddings) {
            JsonNode values = embedding.path("values");
            if (!values.isArray()) {
                throw UpstreamException.malformed(provider, "an embedding without values");
            }
            vectors.add(values);
        }
        JsonNode promptTokens = root.path("usageMetadata").path("promptTokenCount");
        return new Batch(vectors, TokenCounts.of(promptTokens, -1, provider));
    }

    long readTokenCount(byte[] bytes) {
        JsonNode total = readTree(bytes).path("totalTokens");
        if (!total.isNumber()) {
            throw UpstreamException.malformed(provider, "a token count without totalTokens");
        }
        return TokenCounts.of(total, 0, provider);
    }

    /** OpenAI's {@code list} of {@code embedding} objects (usage and model are the caller's to set). */
    ObjectNode toOpenAi(List<JsonNode> vectors, boolean base64) {
        ObjectNode body = json.createObjectNode();
        body.put("object", "list");
        ArrayNode data = body.putArray("data");
        for (int i = 0; i < vectors.size(); i++) {
            ObjectNode item = data.addObject();
            item.put("object", "embedding");
            item.put("index", i);
            if (base64) {
                item.put("embedding", base64(vectors.get(i)));
            }
            else {
                item.set("embedding", vectors.get(i));
            }
        }
        return body;
    }

    private static String base64(JsonNode values) {
        ByteBuffer buffer = ByteBuffer.allocate(values.size() * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        values.forEach(value -> buffer.putFloat(value.floatValue()));
        return Base64.getEncoder().encodeToString(buffer.array());
    }

    private JsonNode readTree(byte[] bytes) {
        try {
            return json.readTree(bytes);
        }
        catch (JacksonException ex) {
            throw UpstreamException.malformed(provider, "a body that is not JSON");
        }
    }

    /** @param promptTokens the input tokens Gemini reported, or -1 */
    record Batch(List<JsonNode> vectors, long promptTokens) {
    }

}
