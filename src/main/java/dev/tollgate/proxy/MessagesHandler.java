package dev.tollgate.proxy;

import org.springframework.http.server.reactive.ServerHttpRequest;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

import dev.tollgate.cache.CacheDirective;
import dev.tollgate.cache.ResponseCache;
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
final class MessagesHandler implements HotPathHandler {

    private final ChatRequestReader reader;
    private final ChatPipeline pipeline;
    private final ApiErrorJson errors;
    private final JsonMapper json;
    private final MessagesRequestTranslator requests;
    private final MessagesResponseTranslator responses;
    private final Draining draining;
    private final OverheadReport overhead;
    private final ResponseCache cache;

    MessagesHandler(ChatRequestReader reader, ChatPipeline pipeline, ApiErrorJson errors, JsonMapper json,
            Draining draining, OverheadReport overhead, ResponseCache cache) {
        this.cache = cache;
        this.draining = draining;
        this.overhead = overhead;
        this.reader = reader;
        this.pipeline = pipeline;
        this.errors = errors;
        this.json = json;
        this.requests = new MessagesRequestTranslator(json);
        this.responses = new MessagesResponseTranslator(json);
    }

    @Override
    public Mono<Answer> answer(ServerHttpRequest request, GenerationTracker tracker) {
        return reader.readObject(request)
            .map(body -> reader.toChatRequest(requests.toChatBody(body)))
            .flatMap(chat -> {
                    CacheDirective caching = cache.directive(request.getHeaders());
                return chat.stream() ? Mono.just(stream(chat, tracker, caching)) : complete(chat, tracker, caching);
            });
    }

    private Mono<Answer> complete(ChatRequest chat, GenerationTracker tracker, CacheDirective caching) {
        // The usage the call is billed for: the provider's, or a count where it reported none.
        return pipeline.complete(chat, tracker, caching).flatMap(completion -> tracker.billableUsage().map(usage -> {
            byte[] bytes = json.writeValueAsBytes(responses.toMessage(completion.body(), usage,
                    completion.stopSequence()));
            tracker.completed();
            return overhead.whole(tracker, response -> JsonAnswer.write(response, bytes));
        }));
    }

    private Answer stream(ChatRequest chat, GenerationTracker tracker, CacheDirective caching) {
        Flux<ChatStreamEvent> events = draining.cut(pipeline.stream(chat, tracker, caching)).doOnNext(event -> {
            if (event instanceof ChatStreamEvent.Chunk chunk) {
                // Counted as delivered, so that a stream cut short is billed for the text the client got.
                tracker.observeDelivery(chunk);
            }
        });
        Flux<byte[]> frames = MessagesStreamTranslator.translate(events, json, tracker.publicId(), tracker::model,
                tracker::billableUsage)
            .doOnNext(frame -> tracker.deliveredToClient())
            .onErrorResume(error -> {
                if (!tracker.hasDeliveredToClient()) {
                    return Flux.error(error);
                }
                ApiException api = ProxyErrors.toApiException(error);
                tracker.streamBroke(api);
                if (ProxyErrors.isClientStall(api)) {
                    return tracker.endStalled(api);
                }
                ObjectNode event = errors.tree(api);
                event.put("type", "error");
                return Flux.just(MessagesStreamTranslator.frame(json, "error", event));
            })
            .transform(tracker::endWith);
        return response -> SseFrames.write(response, overhead.stream(frames, tracker, response));
    }

}
