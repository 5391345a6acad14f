package dev.tollgate.bench;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.util.ResourceLeakDetector;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.internal.ThreadExecutorMap;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.client.HttpClient;
import reactor.netty.http.server.HttpServer;
import reactor.netty.http.server.HttpServerRequest;
import reactor.netty.http.server.HttpServerResponse;
import reactor.netty.resources.ConnectionProvider;

/**
 * The reference the benchmark measures Tollgate against: the least a proxy on the same stack can do, in a JVM of its
 * own with Tollgate's flags. It relays {@code POST /v1/chat/completions} to the upstream as it comes (the key swapped
 * for the upstream's, the answer's bytes streamed back as they arrive) on Reactor Netty and Netty alone, with
 * Tollgate's own transport choices (epoll, a connection pool per event loop so that a call never changes threads) and
 * nothing else: no Spring, no parsing, no auth, pricing, credits, limits, request log, metrics or tracing.
 * Its CPU per call is the floor Tollgate's stack starts from on the machine at hand; the difference is what Tollgate's
 * work and its framework cost.
 *
 * <p>Arguments: the port to listen on (127.0.0.1), the upstream's base URL.
 */
public final class BareHop {

    private static final String UPSTREAM_AUTHORIZATION = "Bearer sk-bench-upstream";

    private final String upstream;

    private final Map<EventExecutor, HttpClient> clientsByLoop = new ConcurrentHashMap<>();

    private BareHop(String upstream) {
        this.upstream = upstream;
    }

    public static void main(String[] args) {
        // Tollgate's own level (spring.netty.leak-detection in application.yml): Netty's default would follow one
        // buffer in 128 and touch every buffer at each handler, a cost Tollgate does not pay.
        ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.DISABLED);
        BareHop hop = new BareHop(args[1] + "/v1/chat/completions");
        DisposableServer server = HttpServer.create()
                .host("127.0.0.1")
                .port(Integer.parseInt(args[0]))
                .route(routes -> routes.post("/v1/chat/completions", hop::relay))
                .bindNow();
        server.onDispose().block();
    }

    private Mono<Void> relay(HttpServerRequest request, HttpServerResponse response) {
        return client().headers(headers -> headers
                        .set(HttpHeaderNames.CONTENT_TYPE, request.requestHeaders().get(HttpHeaderNames.CONTENT_TYPE))
                        .set(HttpHeaderNames.AUTHORIZATION, UPSTREAM_AUTHORIZATION))
                .post()
                .uri(upstream)
                .send(request.receive().retain())
                .response((answer, body) -> response.status(answer.status())
                        .header(HttpHeaderNames.CONTENT_TYPE, answer.responseHeaders().get(HttpHeaderNames.CONTENT_TYPE))
                        .send(body.retain()))
                .then();
    }

    /** The calling event loop's client, whose pooled connections live on that loop (as Tollgate's providers do). */
    private HttpClient client() {
        EventExecutor loop = ThreadExecutorMap.currentExecutor();
        return clientsByLoop.computeIfAbsent(loop, executor -> HttpClient.create(ConnectionProvider
                        .builder("bare-hop-" + clientsByLoop.size())
                        .maxConnections(4096)
                        .pendingAcquireMaxCount(-1)
                        .pendingAcquireTimeout(Duration.ofMinutes(2))
                        .build())
                .runOn((EventLoop) executor));
    }
}
