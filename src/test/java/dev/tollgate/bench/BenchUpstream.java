package dev.tollgate.bench;

import java.nio.charset.StandardCharsets;
import java.time.Duration;

import org.reactivestreams.Publisher;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;
import reactor.netty.http.server.HttpServerRequest;
import reactor.netty.http.server.HttpServerResponse;

/**
 * The provider the benchmark calls, directly and through Tollgate: an OpenAI chat completions endpoint on Reactor Netty
 * that answers from bytes prepared once (shaped like the recorded OpenAI wire transcripts), so that what it costs is
 * small and the same for both paths. Latency before the answer, chunk count and the pause between chunks are set per
 * scenario.
 */
final class BenchUpstream implements AutoCloseable {

    private static final String CHUNK_HEAD = "data: {\"id\":\"chatcmpl-bench\",\"object\":\"chat.completion.chunk\","
            + "\"created\":1727346171,\"model\":\"gpt-4o-mini-2024-07-18\",\"system_fingerprint\":\"fp_bench\","
            + "\"choices\":[{\"index\":0,\"delta\":";

    private static final ByteBuf ROLE_CHUNK = frame(CHUNK_HEAD
            + "{\"role\":\"assistant\",\"content\":\"\",\"refusal\":null},\"logprobs\":null,\"finish_reason\":null}]}\n\n");

    private static final ByteBuf TOKEN_CHUNK = frame(CHUNK_HEAD
            + "{\"content\":\" token\"},\"logprobs\":null,\"finish_reason\":null}]}\n\n");

    private static final ByteBuf STOP_CHUNK = frame(CHUNK_HEAD + "{},\"logprobs\":null,\"finish_reason\":\"stop\"}]}\n\n");

    private static final String USAGE_CHUNK = "data: {\"id\":\"chatcmpl-bench\",\"object\":\"chat.completion.chunk\","
            + "\"created\":1727346171,\"model\":\"gpt-4o-mini-2024-07-18\",\"system_fingerprint\":\"fp_bench\","
            + "\"choices\":[],\"usage\":{\"prompt_tokens\":24,\"completion_tokens\":%d,\"total_tokens\":%d,"
            + "\"completion_tokens_details\":{\"reasoning_tokens\":0}}}\n\n";

    private static final ByteBuf DONE = frame("data: [DONE]\n\n");

    private static final ByteBuf COMPLETION = frame("{\"id\":\"chatcmpl-bench\",\"object\":\"chat.completion\","
            + "\"created\":1727346171,\"model\":\"gpt-4o-mini-2024-07-18\",\"choices\":[{\"index\":0,\"message\":"
            + "{\"role\":\"assistant\",\"content\":\"The quick brown fox jumps over the lazy dog.\",\"refusal\":null,"
            + "\"annotations\":[]},\"logprobs\":null,\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":24,"
            + "\"completion_tokens\":11,\"total_tokens\":35,\"prompt_tokens_details\":{\"cached_tokens\":0,"
            + "\"audio_tokens\":0},\"completion_tokens_details\":{\"reasoning_tokens\":0,\"audio_tokens\":0,"
            + "\"accepted_prediction_tokens\":0,\"rejected_prediction_tokens\":0}},\"service_tier\":\"default\","
            + "\"system_fingerprint\":\"fp_bench\"}");

    private final DisposableServer server;

    private volatile Duration latency = Duration.ZERO;

    private volatile int chunks = 100;

    private volatile Duration chunkInterval = Duration.ZERO;

    BenchUpstream() {
        this.server = HttpServer.create()
                .host("127.0.0.1")
                .port(0)
                .route(routes -> routes.post("/v1/chat/completions", this::chat))
                .bindNow();
    }

    String baseUrl() {
        return "http://127.0.0.1:" + server.port();
    }

    /** How every following answer looks: the wait before it, and for streams the chunk count and the pause between. */
    void shape(Duration latency, int chunks, Duration chunkInterval) {
        this.latency = latency;
        this.chunks = chunks;
        this.chunkInterval = chunkInterval;
    }

    private Publisher<Void> chat(HttpServerRequest request, HttpServerResponse response) {
        return request.receive().aggregate().asString(StandardCharsets.UTF_8).flatMap(body -> {
            Mono<Void> wait = latency.isZero() ? Mono.empty() : Mono.delay(latency).then();
            if (!body.contains("\"stream\":true")) {
                return wait.then(response.header("content-type", "application/json")
                        .send(Mono.fromSupplier(COMPLETION::retainedDuplicate)).then());
            }
            boolean usage = body.contains("\"include_usage\":true");
            return wait.then(response.header("content-type", "text/event-stream")
                    .send(stream(chunks, chunkInterval, usage)).then());
        });
    }

    private static Flux<ByteBuf> stream(int chunks, Duration interval, boolean usage) {
        Flux<ByteBuf> tokens = interval.isZero()
                ? Flux.range(0, chunks).map(i -> TOKEN_CHUNK.retainedDuplicate())
                : Flux.interval(interval).take(chunks).map(i -> TOKEN_CHUNK.retainedDuplicate());
        Flux<ByteBuf> tail = usage
                ? Flux.just(STOP_CHUNK.retainedDuplicate(), frame(USAGE_CHUNK.formatted(chunks, chunks + 24)),
                        DONE.retainedDuplicate())
                : Flux.just(STOP_CHUNK.retainedDuplicate(), DONE.retainedDuplicate());
        return Flux.concat(Mono.fromSupplier(ROLE_CHUNK::retainedDuplicate), tokens, Flux.defer(() -> tail));
    }

    private static ByteBuf frame(String text) {
        return Unpooled.unreleasableBuffer(Unpooled.copiedBuffer(text, StandardCharsets.UTF_8));
    }

    @Override
    public void close() {
        server.disposeNow();
    }
}
