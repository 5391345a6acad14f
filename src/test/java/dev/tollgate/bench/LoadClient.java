package dev.tollgate.bench;

import java.nio.charset.StandardCharsets;
import java.time.Duration;

import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.HttpHeaderNames;
import reactor.core.publisher.Mono;
import reactor.netty.ByteBufFlux;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionProvider;
import reactor.netty.resources.LoopResources;

/**
 * Sends one chat completion and tells when its first byte and its end arrived and whether it was whole: a 200 with a
 * completion, or a stream that ended with {@code data: [DONE]}. Reactor Netty, so that thousands of calls in flight
 * cost a few threads; keep-alive connections, as SDK clients use.
 */
final class LoadClient implements AutoCloseable {

    /** {@code failure} is null for a whole answer, else what went wrong (an HTTP status, a cut stream, an exception). */
    record Outcome(String failure, long firstByteNanos, long endNanos) {

        boolean ok() {
            return failure == null;
        }
    }

    private final ConnectionProvider connections;

    private final LoopResources loops;

    private final HttpClient http;

    LoadClient() {
        this.connections = ConnectionProvider.builder("bench")
                .maxConnections(4096)
                .pendingAcquireMaxCount(-1)
                .pendingAcquireTimeout(Duration.ofMinutes(2))
                .build();
        this.loops = LoopResources.create("bench-client", 1, true);
        this.http = HttpClient.create(connections).runOn(loops).responseTimeout(Duration.ofMinutes(2));
    }

    Mono<Outcome> call(Target target, boolean stream) {
        return http.headers(headers -> headers
                        .set(HttpHeaderNames.CONTENT_TYPE, "application/json")
                        .set(HttpHeaderNames.AUTHORIZATION, target.authorization()))
                .post()
                .uri(target.url())
                .send(ByteBufFlux.fromString(Mono.just(target.body(stream))))
                .response((response, content) -> {
                    Reading reading = new Reading();
                    int status = response.status().code();
                    return content.doOnNext(reading::chunk)
                            .then(Mono.fromSupplier(() -> reading.outcome(status, stream)));
                })
                .next()
                .onErrorResume(error -> Mono.just(new Outcome(error.getClass().getSimpleName(), 0, System.nanoTime())));
    }

    /** Keeps the time of the first byte and the last bytes seen, without holding the body. */
    private static final class Reading {

        private static final int TAIL = 32;

        private long firstByte;

        private String tail = "";

        private boolean sawCompletion;

        private String head = "";

        void chunk(ByteBuf buffer) {
            if (firstByte == 0) {
                firstByte = System.nanoTime();
            }
            int readable = buffer.readableBytes();
            if (head.isEmpty()) {
                head = buffer.toString(buffer.readerIndex(), Math.min(readable, 80), StandardCharsets.UTF_8);
            }
            if (!sawCompletion) {
                // The marker may straddle two reads: look at it with the end of the previous one.
                sawCompletion = (tail + buffer.toString(StandardCharsets.UTF_8)).contains("\"chat.completion");
            }
            String text = buffer.toString(buffer.readerIndex() + Math.max(0, readable - TAIL), Math.min(readable, TAIL),
                    StandardCharsets.UTF_8);
            tail = (tail + text).substring(Math.max(0, tail.length() + text.length() - TAIL));
        }

        Outcome outcome(int status, boolean stream) {
            long end = System.nanoTime();
            boolean whole = stream ? tail.contains("data: [DONE]") : sawCompletion;
            String failure = status != 200 ? "HTTP " + status : whole ? null : stream ? "stream cut" : "no completion in: " + head;
            return new Outcome(failure, firstByte == 0 ? end : firstByte, end);
        }
    }

    @Override
    public void close() {
        connections.dispose();
        loops.dispose();
    }
}
