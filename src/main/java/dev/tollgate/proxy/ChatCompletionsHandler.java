package dev.tollgate.proxy;

import org.springframework.http.server.reactive.ServerHttpRequest;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import dev.tollgate.cache.CacheDirective;
import dev.tollgate.cache.ResponseCache;
import dev.tollgate.provider.TokenUsage;

/**
 * {@code POST /v1/chat/completions}: authenticate the key, read and validate the request, run it through the
 * {@link ChatPipeline}, and answer in OpenAI's format (whole, or chunk by chunk), recording the call exactly once.
 */
final class ChatCompletionsHandler implements HotPathHandler {

    static final String GENERATION_HEADER = "x-tollgate-generation-id";

    private final ChatRequestReader reader;
    private final ChatPipeline pipeline;
    private final ResponseShaper shaper;
    private final StreamRelay relay;
    private final OverheadReport overhead;
    private final ResponseCache cache;

    ChatCompletionsHandler(ChatRequestReader reader, ChatPipeline pipeline, ResponseShaper shaper, StreamRelay relay,
            OverheadReport overhead, ResponseCache cache) {
        this.cache = cache;
        this.reader = reader;
        this.pipeline = pipeline;
        this.shaper = shaper;
        this.relay = relay;
        this.overhead = overhead;
    }

    @Override
    public Mono<Answer> answer(ServerHttpRequest request, GenerationTracker tracker) {
        return reader.readChat(request).flatMap(chat -> {
            CacheDirective caching = cache.directive(request.getHeaders());
            return chat.stream() ? Mono.just(stream(chat, tracker, caching)) : complete(chat, tracker, caching);
        });
    }

    private Mono<Answer> complete(ChatRequest chat, GenerationTracker tracker, CacheDirective caching) {
        // What the call is billed for: the provider's usage, or a count where it reported none.
        return pipeline.complete(chat, tracker, caching).flatMap(completion -> tracker.billableUsage().map(usage -> {
            byte[] bytes = shaper.bytes(completion, usage, chat.includeCost() ? tracker.costUsd(usage) : null);
            tracker.completed();
            return overhead.whole(tracker, response -> JsonAnswer.write(response, bytes));
        }));
    }

    private Answer stream(ChatRequest chat, GenerationTracker tracker, CacheDirective caching) {
        Flux<byte[]> frames = relay.relay(pipeline.stream(chat, tracker, caching), chat, tracker);
        // A chunk leaves as it arrives (ChatCompletionsIntegrationTests pauses the provider mid-stream to check), the
        // first one flushed at once; see SseFrames.write.
        return response -> SseFrames.write(response, overhead.stream(frames, tracker, response));
    }

}
