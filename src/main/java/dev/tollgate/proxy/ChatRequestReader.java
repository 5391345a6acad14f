package dev.tollgate.proxy;

import java.util.ArrayList;
import java.util.List;

import org.jspecify.annotations.Nullable;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferLimitException;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.web.reactive.function.BodyExtractors;
import org.springframework.web.reactive.function.server.ServerRequest;
import reactor.core.publisher.Mono;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

import dev.tollgate.common.ApiException;

/**
 * Reads a request body up to the size limit (413 beyond it, checked against Content-Length before reading when the
 * client declares one) and validates it as a Chat Completions request (400 with the offending field otherwise).
 */
final class ChatRequestReader {

    /** OpenRouter's request fields, consumed by Tollgate and never sent upstream. */
    private static final List<String> TOLLGATE_FIELDS = List.of("models", "provider", "usage", "transforms", "route");

    private final JsonMapper json;
    private final long maxBytes;

    ChatRequestReader(JsonMapper json, long maxBytes) {
        this.json = json;
        this.maxBytes = maxBytes;
    }

    Mono<ObjectNode> readObject(ServerRequest request) {
        long declared = request.headers().contentLength().orElse(-1);
        if (declared > maxBytes) {
            return Mono.error(ApiException.payloadTooLarge(maxBytes));
        }
        return DataBufferUtils.join(request.body(BodyExtractors.toDataBuffers()), (int) Math.min(maxBytes, Integer.MAX_VALUE))
            .onErrorMap(DataBufferLimitException.class, ex -> ApiException.payloadTooLarge(maxBytes))
            .switchIfEmpty(Mono.error(() -> ApiException.invalidRequest("The request body is empty; send a JSON object.")))
            .map(this::parseObject);
    }

    Mono<ChatRequest> readChat(ServerRequest request) {
        return readObject(request).map(this::toChatRequest);
    }

    private ObjectNode parseObject(DataBuffer buffer) {
        try {
            JsonNode root = json.readTree(buffer.asInputStream());
            if (!(root instanceof ObjectNode object)) {
                throw ApiException.invalidRequest("The request body must be a JSON object.");
            }
            return object;
        }
        catch (JacksonException ex) {
            throw ApiException.invalidRequest("The request body is not valid JSON: " + ex.getOriginalMessage());
        }
        finally {
            DataBufferUtils.release(buffer);
        }
    }

    ChatRequest toChatRequest(ObjectNode body) {
        JsonNode model = body.path("model");
        if (!model.isString() || model.stringValue().isBlank()) {
            throw ApiException.invalidParam("model", "'model' is required and must be a string such as "
                    + "\"openai/gpt-4o-mini\".");
        }
        JsonNode messages = body.path("messages");
        if (!messages.isArray() || messages.isEmpty()) {
            throw ApiException.invalidParam("messages", "'messages' is required and must be a non-empty array.");
        }
        for (int i = 0; i < messages.size(); i++) {
            JsonNode message = messages.get(i);
            if (!message.isObject() || !message.path("role").isString()) {
                throw ApiException.invalidParam("messages[" + i + "]",
                        "messages[" + i + "] must be an object with a 'role'.");
            }
        }
        boolean stream = flag(body, "stream");
        boolean streamUsage = stream && flag(body.path("stream_options"), "include_usage");
        boolean includeCost = flag(body.path("usage"), "include");
        Integer maxTokens = positiveInt(body, "max_completion_tokens");
        if (maxTokens == null) {
            maxTokens = positiveInt(body, "max_tokens");
        }
        List<String> fallbacks = fallbackModels(body.path("models"));
        body.remove(TOLLGATE_FIELDS);
        return new ChatRequest(body, model.stringValue(), stream, streamUsage, includeCost, maxTokens, fallbacks);
    }

    private static boolean flag(JsonNode parent, String field) {
        JsonNode value = parent.path(field);
        if (value.isMissingNode() || value.isNull()) {
            return false;
        }
        if (!value.isBoolean()) {
            throw ApiException.invalidParam(field, "'" + field + "' must be true or false.");
        }
        return value.booleanValue();
    }

    private static @Nullable Integer positiveInt(JsonNode parent, String field) {
        JsonNode value = parent.path(field);
        if (value.isMissingNode() || value.isNull()) {
            return null;
        }
        if (!value.isIntegralNumber() || value.asLong() < 1 || value.asLong() > Integer.MAX_VALUE) {
            throw ApiException.invalidParam(field, "'" + field + "' must be a positive integer.");
        }
        return value.asInt();
    }

    private static List<String> fallbackModels(JsonNode models) {
        if (models.isMissingNode() || models.isNull()) {
            return List.of();
        }
        if (!models.isArray()) {
            throw ApiException.invalidParam("models", "'models' must be an array of model ids.");
        }
        List<String> ids = new ArrayList<>();
        for (JsonNode id : models) {
            if (!id.isString() || id.stringValue().isBlank()) {
                throw ApiException.invalidParam("models", "'models' must be an array of model ids.");
            }
            ids.add(id.stringValue());
        }
        return List.copyOf(ids);
    }

}
