package dev.tollgate.proxy;

import java.nio.charset.StandardCharsets;
import java.util.List;

import org.springframework.web.reactive.function.server.ServerRequest;
import reactor.core.publisher.Mono;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

import dev.tollgate.common.ApiException;
import dev.tollgate.common.JsonNumbers;

/**
 * Reads a body (with the size limit of {@link ChatRequestReader}) and validates it as an OpenAI embeddings request:
 * {@code model}, and {@code input} as a string, an array of strings, an array of token ids, or an array of arrays of
 * token ids, at most {@value #MAX_INPUTS} of them, none empty; 400 naming the field otherwise.
 */
final class EmbeddingsRequestReader {

    /** OpenAI's own limit on inputs per request. */
    static final int MAX_INPUTS = 2048;

    /** OpenRouter's request fields, consumed by Tollgate and never sent upstream. */
    private static final List<String> TOLLGATE_FIELDS = List.of("models", "provider", "usage", "transforms", "route");

    private final ChatRequestReader bodies;

    EmbeddingsRequestReader(ChatRequestReader bodies) {
        this.bodies = bodies;
    }

    Mono<EmbeddingsRequest> readEmbeddings(ServerRequest request) {
        return bodies.readObject(request).map(this::toEmbeddingsRequest);
    }

    EmbeddingsRequest toEmbeddingsRequest(ObjectNode body) {
        JsonNode model = body.path("model");
        if (!model.isString() || model.stringValue().isBlank()) {
            throw ApiException.invalidParam("model", "'model' is required and must be a string such as "
                    + "\"openai/text-embedding-3-small\".");
        }
        int inputs = countInputs(body.path("input"));
        JsonNode format = body.path("encoding_format");
        if (!format.isMissingNode() && !format.isNull()
                && !("float".equals(format.asString("")) || "base64".equals(format.asString("")))) {
            throw ApiException.invalidParam("encoding_format", "'encoding_format' must be float or base64.");
        }
        JsonNode dimensions = body.path("dimensions");
        if (!dimensions.isMissingNode() && !dimensions.isNull() && !JsonNumbers.isWholeNumberIn(dimensions, 1, 65536)) {
            throw ApiException.invalidParam("dimensions", "'dimensions' must be a positive integer.");
        }
        boolean includeCost = ChatRequestReader.flag(body.path("usage"), "include");
        body.remove(TOLLGATE_FIELDS);
        return new EmbeddingsRequest(body, model.stringValue(), inputs, estimateTokens(body.path("input")),
                includeCost);
    }

    private static long estimateTokens(JsonNode input) {
        if (input.isString()) {
            return (input.stringValue().getBytes(StandardCharsets.UTF_8).length + 2) / 3;
        }
        long tokens = 0;
        for (JsonNode item : input) {
            tokens += item.isString() ? (item.stringValue().getBytes(StandardCharsets.UTF_8).length + 2) / 3
                    : item.isArray() ? item.size() : 1;
        }
        return tokens;
    }

    private static int countInputs(JsonNode input) {
        if (input.isString()) {
            requireNotEmpty(input.stringValue().isEmpty());
            return 1;
        }
        if (!input.isArray() || input.isEmpty()) {
            throw ApiException.invalidParam("input", "'input' is required: a string, an array of strings, or an array "
                    + "of token ids (or of arrays of them).");
        }
        if (input.valueStream().allMatch(JsonNode::isIntegralNumber)) {
            return 1;
        }
        if (input.size() > MAX_INPUTS) {
            throw ApiException.invalidParam("input", "'input' may hold at most " + MAX_INPUTS + " items.");
        }
        boolean texts = input.valueStream().allMatch(JsonNode::isString);
        boolean tokenArrays = input.valueStream()
            .allMatch(item -> item.isArray() && item.valueStream().allMatch(JsonNode::isIntegralNumber));
        if (!texts && !tokenArrays) {
            throw ApiException.invalidParam("input", "'input' must be all strings or all arrays of token ids.");
        }
        input.forEach(item -> requireNotEmpty(texts ? item.stringValue().isEmpty() : item.isEmpty()));
        return input.size();
    }

    private static void requireNotEmpty(boolean empty) {
        if (empty) {
            throw ApiException.invalidParam("input", "'input' must not contain an empty string or array.");
        }
    }

}
