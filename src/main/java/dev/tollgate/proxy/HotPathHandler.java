package dev.tollgate.proxy;

import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.http.server.reactive.ServerHttpResponse;
import reactor.core.publisher.Mono;

/**
 * A proxy endpoint that {@link ProxyHotPath} serves below WebFlux: the hot path authenticates the key, starts the
 * call's tracker (failing or cancelling it if the answer does), and writes the answer.
 */
interface HotPathHandler {

    Mono<Answer> answer(ServerHttpRequest request, GenerationTracker tracker);

    /** What a call answers, once known: its tracker follows the call up to there, the relay and the write after. */
    interface Answer {

        Mono<Void> writeTo(ServerHttpResponse response);
    }
}
