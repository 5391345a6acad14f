package dev.tollgate.provider;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * An adapter for one configured upstream ({@code tollgate.providers.<name>}). It speaks OpenAI's Chat Completions
 * format on Tollgate's side and its provider's format on the wire. Failures are signalled as
 * {@link UpstreamException}s, already mapped to the status and error a client should see.
 */
public interface ChatProvider {

    /** The name this provider is configured under, e.g. {@code openai}. */
    String name();

    /** One non-streamed completion. */
    Mono<ChatCompletion> complete(ChatCall call);

    /**
     * One streamed completion, decoded chunk by chunk as the bytes arrive; state lives per subscription. Cancelling
     * the subscription closes the upstream connection.
     */
    Flux<ChatStreamEvent> stream(ChatCall call);

    /** Releases the provider's connections when the application stops. */
    default void close() {
    }

}
