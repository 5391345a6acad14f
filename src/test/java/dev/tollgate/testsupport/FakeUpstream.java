package dev.tollgate.testsupport;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

import io.netty.buffer.Unpooled;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.netty.Connection;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;
import reactor.netty.http.server.HttpServerRequest;
import reactor.netty.http.server.HttpServerResponse;
import reactor.netty.resources.LoopResources;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static org.awaitility.Awaitility.await;

/**
 * A local stand-in for an LLM provider: a real HTTP server that records every request and answers with scripted
 * {@link FakeReply}s, in order, or with a recorded OpenAI answer when nothing is scripted (a whole completion, or the
 * recorded text stream with its usage chunk when the request asks for usage). One per JVM, shared by all tests;
 * {@link #reset()} before each test.
 */
public final class FakeUpstream {

    private static final FakeUpstream SHARED = new FakeUpstream();

    private static final JsonMapper JSON = JsonMapper.builder().build();

    // Read up front: the fake answers on a Netty event loop, where BlockHound forbids file reads.
    private static final String COMPLETION = Fixtures.text("openai/chat-completion.json");

    private static final String STREAM = Fixtures.text("openai/stream-text-usage.sse");

    private final DisposableServer server;
    private final ConcurrentLinkedQueue<FakeReply> script = new ConcurrentLinkedQueue<>();
    // Lock-free: it is filled on the fake's event loop, where BlockHound forbids waiting for a lock.
    private final ConcurrentLinkedQueue<RecordedRequest> requests = new ConcurrentLinkedQueue<>();
    private final AtomicInteger cancelledStreams = new AtomicInteger();
    private volatile Sinks.Empty<Void> paused = Sinks.empty();

    private FakeUpstream() {
        // Its own event loops, so that no Tollgate context shutting down can take the fake down with it.
        this.server = HttpServer.create().runOn(LoopResources.create("fake-upstream", 2, true)).host("127.0.0.1").port(0)
            .handle(this::answer).bindNow();
        Runtime.getRuntime().addShutdownHook(new Thread(server::disposeNow));
    }

    public static FakeUpstream shared() {
        return SHARED;
    }

    public String baseUrl() {
        return "http://127.0.0.1:" + server.port();
    }

    public void reset() {
        script.clear();
        requests.clear();
        cancelledStreams.set(0);
        paused.tryEmitEmpty();
        paused = Sinks.empty();
    }

    /** Lets a stream scripted with {@link FakeReply#pausingAfter(int)} go on. */
    public void resume() {
        paused.tryEmitEmpty();
    }

    public FakeUpstream enqueue(FakeReply... replies) {
        script.addAll(List.of(replies));
        return this;
    }

    /**
     * Scripts a failure for every attempt Tollgate makes on one route before giving up on it (retries included), so
     * that the client sees the failure.
     */
    public FakeUpstream enqueueFailure(FakeReply failure) {
        for (int i = 0; i < failure.timesSeenPerRoute(); i++) {
            script.add(failure);
        }
        return this;
    }

    /** The next request received, waiting up to five seconds for it. */
    public RecordedRequest takeRequest() {
        await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(10))
            .alias("a request reaching the fake upstream").until(() -> !requests.isEmpty());
        return requests.poll();
    }

    public int requestCount() {
        return requests.size();
    }

    /** How many streams were cut by the client (Tollgate) before the fake had sent them whole. */
    public int cancelledStreams() {
        return cancelledStreams.get();
    }

    private Mono<Void> answer(HttpServerRequest request, HttpServerResponse response) {
        return request.receive().aggregate().asString(StandardCharsets.UTF_8).defaultIfEmpty("").flatMap(body -> {
            requests.add(new RecordedRequest(request.method().name(), request.uri(), request.requestHeaders(), body));
            FakeReply reply = script.poll();
            return send(reply != null ? reply : defaultReply(body), response);
        });
    }

    private Mono<Void> send(FakeReply reply, HttpServerResponse response) {
        if (reply.hanging()) {
            return Mono.never();
        }
        if (reply.status() == 0) {
            return Mono.fromRunnable(() -> response.withConnection(Connection::dispose)).then(Mono.never());
        }
        response.status(reply.status());
        reply.headers().forEach(response::header);
        Mono<Void> sending;
        if (!reply.streamed()) {
            sending = response.sendByteArray(Mono.just(reply.body())).then();
        }
        else {
            List<String> frames = reply.dropAfterFrames() >= 0
                    ? reply.frames().subList(0, Math.min(reply.dropAfterFrames(), reply.frames().size()))
                    : reply.frames();
            Flux<String> paced = Flux.fromIterable(frames);
            if (reply.pauseAfterFrames() >= 0) {
                Mono<Void> gate = paused.asMono();
                paced = paced.take(reply.pauseAfterFrames())
                    .concatWith(gate.thenMany(Flux.fromIterable(frames).skip(reply.pauseAfterFrames())));
            }
            if (!reply.gap().isZero()) {
                paced = paced.delayElements(reply.gap());
            }
            Flux<String> relayed = paced.doOnCancel(cancelledStreams::incrementAndGet);
            // One write and flush per frame, as a provider does.
            sending = response.sendObject(relayed.map(frame -> Unpooled.wrappedBuffer(
                    frame.getBytes(StandardCharsets.UTF_8)))).then();
            if (reply.dropAfterFrames() >= 0) {
                // Close a moment after the last frame, as a provider's crash would: the frames sent are on the wire.
                sending = sending.then(Mono.delay(Duration.ofMillis(50)))
                    .then(Mono.fromRunnable(() -> response.withConnection(Connection::dispose)))
                    .then(Mono.never());
            }
        }
        return reply.delay().isZero() ? sending : Mono.delay(reply.delay()).then(sending);
    }

    private static FakeReply defaultReply(String body) {
        JsonNode request = body.isBlank() ? JSON.createObjectNode() : JSON.readTree(body);
        if (!request.path("stream").asBoolean(false)) {
            return FakeReply.json(200, COMPLETION);
        }
        List<String> frames = SseText.frames(STREAM);
        if (!request.path("stream_options").path("include_usage").asBoolean(false)) {
            frames = frames.stream().filter(frame -> !frame.contains("\"usage\"")).toList();
        }
        return FakeReply.sse(String.join("", frames));
    }

    /** A recorded-shape stream of {@code n} text chunks ("w0 ", "w1 ", …), a finish chunk and a usage chunk. */
    public static FakeReply longStream(int n, Duration gap) {
        StringBuilder sse = new StringBuilder();
        String head = "data: {\"id\":\"chatcmpl-long\",\"object\":\"chat.completion.chunk\",\"created\":1727346171,"
                + "\"model\":\"gpt-4o-2024-08-06\",\"system_fingerprint\":\"fp_7568d46099\",\"choices\":[";
        sse.append(head).append("{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\",\"refusal\":null},"
                + "\"logprobs\":null,\"finish_reason\":null}]}\n\n");
        for (int i = 0; i < n; i++) {
            sse.append(head).append("{\"index\":0,\"delta\":{\"content\":\"w").append(i)
                .append(" \"},\"logprobs\":null,\"finish_reason\":null}]}\n\n");
        }
        sse.append(head).append("{\"index\":0,\"delta\":{},\"logprobs\":null,\"finish_reason\":\"stop\"}]}\n\n");
        sse.append(head).append("],\"usage\":{\"prompt_tokens\":12,\"completion_tokens\":").append(n)
            .append(",\"total_tokens\":").append(12 + n).append("}}\n\n");
        sse.append("data: [DONE]\n\n");
        return FakeReply.sse(sse.toString()).withGap(gap);
    }

}
