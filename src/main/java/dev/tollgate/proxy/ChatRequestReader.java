package dev.tollgate.proxy;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

import org.jspecify.annotations.Nullable;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferLimitException;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.http.HttpHeaders;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.web.reactive.function.BodyExtractors;
import org.springframework.web.reactive.function.server.ServerRequest;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.http.server.HttpServerRequest;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

import dev.tollgate.common.ApiException;
import dev.tollgate.common.BodyBytes;
import dev.tollgate.common.JsonNumbers;
import dev.tollgate.metering.PromptEstimator;
import dev.tollgate.routing.ProviderPreferences;

/**
 * Reads a request body up to the size limit (413 beyond it, checked against Content-Length before reading when the
 * client declares one) and validates it as a Chat Completions request (400 with the offending field otherwise).
 */
final class ChatRequestReader {

    /** OpenAI's own limit on {@code n}. */
    private static final int MAX_CHOICES = 128;

    /** The most fallback models a request may name. */
    static final int MAX_FALLBACK_MODELS = 10;

    /** OpenRouter's request fields, consumed by Tollgate and never sent upstream. */
    private static final List<String> TOLLGATE_FIELDS = List.of("models", "provider", "usage", "transforms", "route");

    private final JsonMapper json;
    private final long maxBytes;

    ChatRequestReader(JsonMapper json, long maxBytes) {
        this.json = json;
        this.maxBytes = maxBytes;
    }

    Mono<ObjectNode> readObject(ServerRequest request) {
        return readObject(request.headers().asHttpHeaders(), request.body(BodyExtractors.toDataBuffers()));
    }

    Mono<ObjectNode> readObject(HttpHeaders headers, Flux<DataBuffer> body) {
        long declared = headers.getContentLength();
        if (declared > maxBytes) {
            return Mono.error(ApiException.payloadTooLarge(maxBytes));
        }
        return DataBufferUtils.join(body, (int) Math.min(maxBytes, Integer.MAX_VALUE))
            .onErrorMap(DataBufferLimitException.class, ex -> ApiException.payloadTooLarge(maxBytes))
            .switchIfEmpty(Mono.error(ChatRequestReader::emptyBody))
            .map(this::parseObject);
    }

    /**
     * The body of a request on the hot path, read from Reactor Netty's request directly: Spring's {@code getBody()}
     * and {@code DataBufferUtils.join} put about ten operators between the socket and the parser, each subscribed to
     * on every call.
     */
    Mono<ObjectNode> readObject(ServerHttpRequest request) {
        HttpServerRequest netty = ReactorNettyExchange.request(request);
        if (netty == null) {
            return readObject(request.getHeaders(), request.getBody());
        }
        if (request.getHeaders().getContentLength() > maxBytes) {
            return Mono.error(ApiException.payloadTooLarge(maxBytes));
        }
        return BodyBytes.read(netty.receive(), (int) Math.min(maxBytes, Integer.MAX_VALUE))
            .onErrorMap(BodyBytes.TooLarge.class, ex -> ApiException.payloadTooLarge(maxBytes))
            .map(this::parseObject);
    }

    Mono<ChatRequest> readChat(ServerHttpRequest request) {
        return readObject(request).map(this::toChatRequest);
    }

    private ObjectNode parseObject(DataBuffer buffer) {
        try {
            return parseObject(() -> json.readTree(buffer.asInputStream()));
        }
        finally {
            DataBufferUtils.release(buffer);
        }
    }

    private ObjectNode parseObject(byte[] body) {
        if (body.length == 0) {
            throw emptyBody();
        }
        return parseObject(() -> json.readTree(body));
    }

    private static ObjectNode parseObject(Supplier<JsonNode> parser) {
        try {
            if (!(parser.get() instanceof ObjectNode object)) {
                throw ApiException.invalidRequest("The request body must be a JSON object.");
            }
            return object;
        }
        catch (JacksonException ex) {
            throw ApiException.invalidRequest("The request body is not valid JSON: " + ex.getOriginalMessage());
        }
    }

    private static ApiException emptyBody() {
        return ApiException.invalidRequest("The request body is empty; send a JSON object.");
    }

    ChatRequest toChatRequest(ObjectNode body) {
        JsonNode model = body.path("model");
        List<String> fallbacks = stringList(body.path("models"), "models");
        if (fallbacks.size() > MAX_FALLBACK_MODELS) {
            // Each model may be asked in turn, for free when it refuses the request: a long list would have one call
            // fan out over the operator's provider keys.
            throw ApiException.invalidParam("models", "'models' may name at most " + MAX_FALLBACK_MODELS + " models.");
        }
        if ((model.isMissingNode() || model.isNull()) && !fallbacks.isEmpty()) {
            // OpenRouter's way: a list of models without a model asks for the first, then the others in turn.
            body.put("model", fallbacks.get(0));
            model = body.path("model");
            fallbacks = fallbacks.subList(1, fallbacks.size());
        }
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
            // Checked here for every provider: an object would reach the translating adapters, whose loops over it
            // (Jackson 3 counts an object's members as its size, and get(i) on it is null) failed with a 500.
            JsonNode toolCalls = message.path("tool_calls");
            if (!toolCalls.isMissingNode() && !toolCalls.isNull() && !toolCalls.isArray()) {
                throw ApiException.invalidParam("messages[" + i + "].tool_calls",
                        "messages[" + i + "].tool_calls must be an array of tool calls.");
            }
        }
        boolean stream = flag(body, "stream");
        boolean streamUsage = stream && flag(body.path("stream_options"), "include_usage");
        boolean includeCost = flag(body.path("usage"), "include");
        Integer maxTokens = positiveInt(body, "max_completion_tokens");
        if (maxTokens == null) {
            maxTokens = positiveInt(body, "max_tokens");
        }
        Integer n = positiveInt(body, "n");
        if (n != null && n > MAX_CHOICES) {
            throw ApiException.invalidParam("n", "'n' must be between 1 and " + MAX_CHOICES + ".");
        }
        ProviderPreferences providers = providerPreferences(body.path("provider"));
        body.remove(TOLLGATE_FIELDS);
        return new ChatRequest(body, model.stringValue(), stream, streamUsage, includeCost, maxTokens,
                n != null ? n : 1, fallbacks, providers, PromptEstimator.estimate(body));
    }

    static boolean flag(JsonNode parent, String field) {
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
        if (!JsonNumbers.isWholeNumberIn(value, 1, Integer.MAX_VALUE)) {
            throw ApiException.invalidParam(field, "'" + field + "' must be a positive integer.");
        }
        return value.asInt();
    }

    private static List<String> stringList(JsonNode values, String param) {
        if (values.isMissingNode() || values.isNull()) {
            return List.of();
        }
        if (!values.isArray()) {
            throw ApiException.invalidParam(param, "'" + param + "' must be an array of strings.");
        }
        List<String> strings = new ArrayList<>();
        for (JsonNode value : values) {
            if (!value.isString() || value.stringValue().isBlank()) {
                throw ApiException.invalidParam(param, "'" + param + "' must be an array of strings.");
            }
            strings.add(value.stringValue());
        }
        return List.copyOf(strings);
    }

    /** OpenRouter's {@code provider} object: order, allow_fallbacks, only, ignore, sort. */
    private static ProviderPreferences providerPreferences(JsonNode provider) {
        if (provider.isMissingNode() || provider.isNull()) {
            return ProviderPreferences.NONE;
        }
        if (!provider.isObject()) {
            throw ApiException.invalidParam("provider", "'provider' must be an object.");
        }
        JsonNode allow = provider.path("allow_fallbacks");
        if (!allow.isMissingNode() && !allow.isNull() && !allow.isBoolean()) {
            throw ApiException.invalidParam("provider.allow_fallbacks", "'allow_fallbacks' must be true or false.");
        }
        ProviderPreferences.Sort sort = null;
        JsonNode sortField = provider.path("sort");
        if (!sortField.isMissingNode() && !sortField.isNull()) {
            sort = switch (sortField.asString("")) {
                case "price" -> ProviderPreferences.Sort.PRICE;
                case "latency" -> ProviderPreferences.Sort.LATENCY;
                case "throughput" -> ProviderPreferences.Sort.THROUGHPUT;
                default -> throw ApiException.invalidParam("provider.sort",
                        "'sort' must be \"price\", \"latency\" or \"throughput\".");
            };
        }
        return new ProviderPreferences(stringList(provider.path("order"), "provider.order"),
                !allow.isBoolean() || allow.booleanValue(), stringList(provider.path("only"), "provider.only"),
                stringList(provider.path("ignore"), "provider.ignore"), sort);
    }

}
