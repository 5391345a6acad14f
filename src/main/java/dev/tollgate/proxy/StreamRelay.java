package dev.tollgate.proxy;

import java.util.List;

import reactor.core.publisher.Flux;

import dev.tollgate.common.ApiErrorJson;
import dev.tollgate.common.ApiException;
import dev.tollgate.provider.ChatStreamEvent;

/**
 * Turns the pipeline's stream into the SSE frames an OpenAI client gets, one frame per chunk as it arrives. Usage
 * never travels inside content chunks: the tracker keeps it and, if the client asked, it is sent as OpenAI's final
 * usage chunk. A failure before the first frame surfaces as an error (the client then gets an HTTP error status);
 * after it, as a final {@code data: {"error":…}} event. Ends the call on completion, error or cancellation.
 */
final class StreamRelay {

    private final ResponseShaper shaper;
    private final ApiErrorJson errors;
    private final Draining draining;

    StreamRelay(ResponseShaper shaper, ApiErrorJson errors, Draining draining) {
        this.shaper = shaper;
        this.errors = errors;
        this.draining = draining;
    }

    Flux<byte[]> relay(Flux<ChatStreamEvent> events, ChatRequest chat, GenerationTracker tracker) {
        // ofType and map rather than handle: handle restores the tracing thread-locals around every chunk, which was a
        // tenth of the relay's CPU (benchmark profile, README "Benchmarks").
        Flux<byte[]> frames = draining.cut(events).ofType(ChatStreamEvent.Chunk.class).map(chunk -> {
            tracker.observeDelivery(chunk);
            return shaper.frame(chunk);
        });
        return frames.concatWith(Flux.defer(() -> ending(chat, tracker)))
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
                return Flux.just(SseFrames.data(errors.bytes(api)));
            })
            .transform(tracker::endWith);
    }

    private Flux<byte[]> ending(ChatRequest chat, GenerationTracker tracker) {
        if (!chat.streamUsage() && !chat.includeCost()) {
            return Flux.just(SseFrames.DONE);
        }
        // What the call is billed for, which is the provider's usage when it reported one.
        return tracker.billableUsage().flatMapIterable(usage -> List.of(SseFrames.data(shaper.bytes(
                shaper.usageChunk(tracker, System.currentTimeMillis() / 1000, usage,
                        chat.includeCost() ? tracker.costUsd(usage) : null))), SseFrames.DONE));
    }

}
