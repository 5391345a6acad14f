package dev.tollgate.proxy;

import java.util.Map;

import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.http.server.reactive.ServerHttpResponse;
import reactor.core.publisher.Mono;

/** A proxy endpoint that {@link ProxyHotPath} serves below WebFlux. */
interface HotPathHandler {

    /**
     * @param attributes the request's attributes, holding the server's observation context (see {@link TraceIds})
     */
    Mono<Void> handle(ServerHttpRequest request, ServerHttpResponse response, Map<String, Object> attributes);

    /** What a call answers, once known: its tracker follows the call up to there, the relay and the write after. */
    interface Answer {

        Mono<Void> writeTo(ServerHttpResponse response);
    }
}
