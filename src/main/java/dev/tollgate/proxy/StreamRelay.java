package dev.tollgate.proxy;

import java.util.ArrayList;
import java.util.List;

import reactor.core.publisher.Flux;

import dev.tollgate.common.ApiErrorJson;
import dev.tollgate.common.ApiException;
import dev.tollgate.provider.ChatStreamEvent;
import dev.tollgate.provider.TokenUsage;

/**
 * Turns a provider's decoded stream into the SSE frames the client gets, one frame per chunk as it arrives. Usage
 * never travels inside content chunks: it is kept by the tracker and, if the client asked for it, sent as OpenAI's
 * final usage chunk. A failure before the first frame surfaces as an error (the client then gets an HTTP error);
 * after it, as a final {@code data: {"error":…}} event.
 */
final class StreamRelay {

    private final ResponseShaper shaper;
    private final ApiErrorJson errors;

    StreamRelay(ResponseShaper shaper, ApiErrorJson errors) {
        this.shaper = shaper;
        this.errors = errors;
    }

    Flux<byte[]> relay(Flux<ChatStreamEvent> events, ChatRequest chat, GenerationTracker tracker) {
        Flux<byte[]> frames = events.handle((event, sink) -> {
            tracker.upstreamAnswered();
            if (event instanceof ChatStreamEvent.Chunk chunk) {
                shaper.brand(chunk.chunk(), tracker);
                tracker.observeChoices(chunk.chunk().path("choices"));
                sink.next(SseFrames.data(shaper.bytes(chunk.chunk())));
            }
            else if (event instanceof ChatStreamEvent.Usage usage) {
                tracker.usage(usage.usage());
            }
        });
        return frames.concatWith(Flux.defer(() -> Flux.fromIterable(ending(chat, tracker))))
            .doOnNext(frame -> tracker.deliveredToClient())
            .onErrorResume(error -> {
                if (!tracker.hasDeliveredToClient()) {
                    return Flux.error(error);
                }
                ApiException api = ProxyErrors.toApiException(error);
                tracker.streamBroke(api.code());
                return Flux.just(SseFrames.data(errors.bytes(api)));
            })
            .doOnComplete(() -> tracker.finish(200, null, false))
            .doOnError(error -> tracker.finish(ProxyErrors.toApiException(error).status().value(),
                    ProxyErrors.toApiException(error).code(), false))
            .doOnCancel(() -> tracker.finish(tracker.hasDeliveredToClient() ? 200 : ProxyErrors.CLIENT_CLOSED,
                    "client_closed", true));
    }

    private List<byte[]> ending(ChatRequest chat, GenerationTracker tracker) {
        List<byte[]> ending = new ArrayList<>(2);
        TokenUsage usage = tracker.usage();
        if (usage != null && (chat.streamUsage() || chat.includeCost())) {
            ending.add(SseFrames.data(shaper.bytes(
                    shaper.usageChunk(tracker, System.currentTimeMillis() / 1000, usage, null))));
        }
        ending.add(SseFrames.DONE);
        return ending;
    }

}
