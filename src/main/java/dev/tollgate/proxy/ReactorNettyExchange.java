package dev.tollgate.proxy;

import org.jspecify.annotations.Nullable;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.http.server.reactive.ServerHttpRequestDecorator;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.http.server.reactive.ServerHttpResponseDecorator;
import reactor.netty.http.server.HttpServerRequest;
import reactor.netty.http.server.HttpServerResponse;

/**
 * Reactor Netty's request and response under Spring's, for the hot path to read and write them directly; null off
 * Reactor Netty (a mock exchange, say), where Spring's are used as they are.
 */
final class ReactorNettyExchange {

    private ReactorNettyExchange() {
    }

    static @Nullable HttpServerRequest request(ServerHttpRequest request) {
        try {
            return ServerHttpRequestDecorator.getNativeRequest(request) instanceof HttpServerRequest netty ? netty
                    : null;
        }
        catch (IllegalArgumentException | IllegalStateException ex) {
            return null;
        }
    }

    static @Nullable HttpServerResponse response(ServerHttpResponse response) {
        try {
            return ServerHttpResponseDecorator.getNativeResponse(response) instanceof HttpServerResponse netty ? netty
                    : null;
        }
        catch (IllegalArgumentException | IllegalStateException ex) {
            return null;
        }
    }

}
