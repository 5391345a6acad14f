package dev.tollgate.proxy;

import org.springframework.http.MediaType;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

import dev.tollgate.account.ApiKeyService;
import dev.tollgate.account.AuthenticatedKey;
import dev.tollgate.common.ApiErrorJson;
import dev.tollgate.common.ApiException;
import dev.tollgate.provider.ChatStreamEvent;

/**
 * {@code POST /v1/messages}: Anthropic's Messages API in and out, for any catalog model. The request is translated
 * into a chat request and run through the same {@link ChatPipeline} as {@code /v1/chat/completions}; the answer is
 * translated back, whole or event by event, and the call is recorded exactly once. Errors keep Tollgate's OpenAI
 * shape; in a stream that already started, the final {@code error} event carries it with Anthropic's
 * {@code "type":"error"} beside it, which both kinds of client understand.
 */
final class MessagesHandler {

    private final ApiKeyService keys;
    private final ChatRequestReader reader;
    private final ChatPipeline pipeline;
    private final GenerationTrackers trackers;
    private final ApiErrorJson errors;
    private final JsonMapper json;
    private final MessagesRequestTranslator requests;
    private final MessagesResponseTranslator responses;
    private final Draining draining;

    MessagesHandler(ApiKeyService keys, ChatRequestReader reader, ChatPipeline pipeline, GenerationTrackers trackers,
            ApiErrorJson errors, JsonMapper json, Draining draining) {
        this.keys = keys;
        this.draining = draining;
        this.reader = reader;
        this.pipeline = pipeline;
        this.trackers = trackers;
        this.errors = errors;
        this.json = json;
        this.requests = new MessagesRequestTranslator(json);
        this.responses = new MessagesResponseTranslator(json);
    }

    Mono<ServerResponse> handle(ServerRequest request) {
        return keys.authenticate(ApiKeyHeaders.presentedKey(request)).flatMap(key -> handle(request, key));
    }

    private Mono<ServerResponse> handle(ServerRequest request, AuthenticatedKey key) {
        GenerationTracker tracker = trackers.start(key, request.exchange());
        request.exchange().getResponse().getHeaders().set(ChatCompletionsHandler.GENERATION_HEADER,
                tracker.publicId());
        ServerHttpResponse response = request.exchange().getResponse();
        response.beforeCommit(() -> Mono.fromRunnable(() -> tracker.rateLimitHeaders()
            .forEach(response.getHeaders()::set)));
        return reader.readObject(request)
            .map(body -> reader.toChatRequest(requests.toChatBody(body)))
            .flatMap(chat -> chat.stream() ? stream(chat, tracker) : complete(chat, tracker))
            .doOnError(tracker::fail)
            .doOnCancel(tracker::cancelled);
    }

    private Mono<ServerResponse> complete(ChatRequest chat, GenerationTracker tracker) {
        return pipeline.complete(chat, tracker).flatMap(completion -> {
            byte[] bytes = json.writeValueAsBytes(responses.toMessage(completion.body(), completion.usage()));
            tracker.completed();
            return JsonAnswer.ok(ServerResponse.ok(), bytes);
        });
    }

    private Mono<ServerResponse> stream(ChatRequest chat, GenerationTracker tracker) {
        Flux<ChatStreamEvent> events = draining.cut(pipeline.stream(chat, tracker)).doOnNext(event -> {
            if (event instanceof ChatStreamEvent.Chunk chunk) {
                // Counted as delivered, so that a stream cut short is billed for the text the client got.
                tracker.observeDelivery(chunk.chunk().path("choices"));
            }
        });
        Flux<byte[]> frames = MessagesStreamTranslator.translate(events, json, tracker.publicId(), tracker::model)
            .doOnNext(frame -> tracker.deliveredToClient())
            .onErrorResume(error -> {
                if (!tracker.hasDeliveredToClient()) {
                    return Flux.error(error);
                }
                ApiException api = ProxyErrors.toApiException(error);
                tracker.streamBroke(api);
                ObjectNode event = errors.tree(api);
                event.put("type", "error");
                return Flux.just(MessagesStreamTranslator.frame(json, "error", event));
            })
            .transform(tracker::endWith);
        return ServerResponse.ok()
            .contentType(MediaType.TEXT_EVENT_STREAM)
            .header("Cache-Control", "no-cache")
            .header("X-Accel-Buffering", "no")
            .build((exchange, context) -> {
                ServerHttpResponse response = exchange.getResponse();
                // Flushed whenever Reactor Netty has written all it was given: an event reaches the client as it
                // arrives (see ChatCompletionsHandler).
                return response.writeWith(frames.map(frame -> response.bufferFactory().wrap(frame)));
            });
    }

}
