package dev.tollgate.common;

import org.springframework.boot.reactor.netty.NettyServerCustomizer;
import org.springframework.stereotype.Component;
import reactor.netty.http.server.HttpServer;

/**
 * Behind a reverse proxy ({@code server.forward-headers-strategy=native}), the client's address, scheme and host are
 * read from the {@code X-Forwarded-*} headers only, never from RFC 7239's {@code Forwarded}.
 *
 * <p>Reactor Netty's default reads {@code Forwarded} first whenever a request has one and then ignores
 * {@code X-Forwarded-For}. The edges Tollgate ships with (compose's nginx, ingress-nginx, cloud load balancers) replace
 * {@code X-Forwarded-For} with the address they saw but pass a client's own {@code Forwarded} through untouched, so a
 * client could name any address it liked, one per attempt, and the sign-in limit (which counts by address) would
 * never stop it guessing passwords or signing up tenants.
 */
@Component
class ForwardedHeadersCustomizer implements NettyServerCustomizer {

    @Override
    public HttpServer apply(HttpServer server) {
        if (!server.configuration().isForwarded()) {
            return server;
        }
        return server.forwarded(false, false);
    }

}
