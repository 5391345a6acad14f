package dev.tollgate.provider;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;

import io.netty.handler.codec.http.HttpHeaders;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.http.HttpStatus;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;
import reactor.test.StepVerifier;

import dev.tollgate.common.ApiException;

/**
 * The HTTP side of every adapter against a real socket: what goes out (headers, body, trace context), what comes back
 * (whole bodies, events in pieces, error answers) and the failures (nobody listening, a body over the limit, a
 * connection that breaks, a provider that goes quiet).
 */
class UpstreamHttpTests {

    static final UpstreamErrorDecoder ERRORS = (status, headers, body) -> new UpstreamException(HttpStatus.BAD_GATEWAY,
            "decoded_" + status, headers.getFirst("x-why") + "|" + new String(body, StandardCharsets.UTF_8), status,
            false, null, null);

    static final BlockingQueue<HttpHeaders> RECEIVED = new LinkedBlockingQueue<>();

    static final BlockingQueue<String> BODIES = new LinkedBlockingQueue<>();

    static DisposableServer server;

    UpstreamHttp http;

    @BeforeAll
    static void startServer() {
        server = HttpServer.create().host("127.0.0.1").port(0).route(routes -> routes
            .post("/json", (request, response) -> request.receive().aggregate().asString().flatMap(body -> {
                RECEIVED.add(request.requestHeaders());
                BODIES.add(body);
                return response.header("content-type", "application/json").sendString(Mono.just("{\"ok\":true}"))
                    .then();
            }))
            .post("/late-answer", (request, response) -> response.header("content-type", "application/json")
                .sendString(Mono.delay(Duration.ofMillis(1200)).map(tick -> "{\"late\":true}")))
            .post("/big", (request, response) -> response.sendString(Flux.range(0, 64).map(i -> "x".repeat(1024))))
            .post("/refused", (request, response) -> response.status(429).header("x-why", "slow down")
                .sendString(Mono.just("{\"error\":\"rate\"}")))
            // Events cut mid-line and mid-character, each piece flushed on its own.
            .post("/events", (request, response) -> response.header("content-type", "text/event-stream")
                .sendString(Flux.just("data: {\"a\":", "\"é", "\"}\n\nevent: done\ndata: [DO", "NE]\n\n"),
                        StandardCharsets.UTF_8))
            .post("/breaks", (request, response) -> response.header("content-type", "text/event-stream")
                .sendString(Flux.just("data: one\n\n").concatWith(Mono.error(new IllegalStateException("gone")))))
            .post("/quiet-after-one", (request, response) -> response.header("content-type", "text/event-stream")
                .sendString(Flux.just("data: one\n\n").concatWith(Flux.never())))
            // Keep-alive comments only, for longer than the idle limit, then an event.
            .post("/kept-alive", (request, response) -> response.header("content-type", "text/event-stream")
                .sendString(Flux.interval(Duration.ofMillis(200)).take(8).map(tick -> ": ping\n\n")
                    .concatWith(Mono.just("data: end\n\n"))))
            // Two events at once, a third 1.4 s later: a client that pauses before the second finds it waiting.
            .post("/two-then-a-third", (request, response) -> response.header("content-type", "text/event-stream")
                .sendString(Flux.just("data: one\n\n", "data: two\n\n")
                    .concatWith(Mono.delay(Duration.ofMillis(1400)).map(tick -> "data: three\n\n"))))
            .post("/slow-start", (request, response) -> response.header("content-type", "text/event-stream")
                .sendString(Mono.delay(Duration.ofMillis(1200)).map(tick -> "data: late\n\n")))
            // An event before the answer (Azure's prompt filter results), then the answer 1.2 s later.
            .post("/filtered-then-slow", (request, response) -> response.header("content-type", "text/event-stream")
                .sendString(Flux.just("data: {\"choices\":[],\"prompt_filter_results\":[]}\n\n")
                    .concatWith(Mono.delay(Duration.ofMillis(1200)).map(tick -> "data: late\n\n")))))
            .bindNow();
    }

    @AfterAll
    static void stopServer() {
        server.disposeNow();
    }

    @AfterEach
    void close() {
        if (http != null) {
            http.close();
        }
        RECEIVED.clear();
        BODIES.clear();
    }

    @Test
    void sendsTheBodyWithTheAdaptersHeadersTheDefaultsAndTheTraceContext() throws Exception {
        http = upstream(Map.of("x-default", "yes"), List.of("sk-1"), 1024);
        UpstreamAttempt attempt = new UpstreamAttempt("00-trace-span-01");
        byte[] answer = http.postJson(attempt, uri("/json"), UpstreamHttp.KeyPolicy.REQUIRED,
                (headers, key) -> headers.setBearerAuth(key), "{\"q\":\"ü\"}".getBytes(StandardCharsets.UTF_8), ERRORS)
            .block(Duration.ofSeconds(5));

        assertThat(new String(answer, StandardCharsets.UTF_8)).isEqualTo("{\"ok\":true}");
        assertThat(BODIES.take()).isEqualTo("{\"q\":\"ü\"}");
        HttpHeaders sent = RECEIVED.take();
        assertThat(sent.get("authorization")).isEqualTo("Bearer sk-1");
        assertThat(sent.get("x-default")).isEqualTo("yes");
        assertThat(sent.get("traceparent")).isEqualTo("00-trace-span-01");
        assertThat(sent.get("content-type")).isEqualTo("application/json");
        assertThat(sent.get("content-length")).as("bytes, not characters").isEqualTo("10");
        assertThat(attempt.keyIndex()).isZero();
        assertThat(attempt.status()).isEqualTo(200);
    }

    @Test
    void decodesEventsArrivingInPieces() {
        http = upstream(Map.of(), List.of(), 1024);
        StepVerifier.create(http.postForEvents(uri("/events"), UpstreamHttp.KeyPolicy.OPTIONAL, (headers, key) -> {
        }, new byte[0], ERRORS, List::of).map(event -> event.event() + "|" + event.text()))
            .expectNext("null|{\"a\":\"é\"}", "done|[DONE]")
            .verifyComplete();
    }

    @Test
    void anErrorAnswerIsDecodedWithItsHeadersAndBody() {
        http = upstream(Map.of(), List.of(), 1024);
        StepVerifier.create(http.postJson(uri("/refused"), UpstreamHttp.KeyPolicy.OPTIONAL, (headers, key) -> {
        }, new byte[0], ERRORS))
            .expectErrorSatisfies(error -> assertThat(error).isInstanceOf(UpstreamException.class)
                .hasMessage("slow down|{\"error\":\"rate\"}")
                .extracting(e -> ((UpstreamException) e).code()).isEqualTo("decoded_429"))
            .verify(Duration.ofSeconds(5));
    }

    @Test
    void aBodyOverTheLimitFailsTheCallAsMalformed() {
        http = upstream(Map.of(), List.of(), 32 * 1024);
        StepVerifier.create(http.postJson(uri("/big"), UpstreamHttp.KeyPolicy.OPTIONAL, (headers, key) -> {
        }, new byte[0], ERRORS))
            .expectErrorSatisfies(error -> assertThat(((UpstreamException) error).code())
                .isEqualTo("upstream_malformed_response"))
            .verify(Duration.ofSeconds(5));
    }

    @Test
    void nobodyListeningIsUnreachableAndABreakAfterTheAnswerStartedIsALostConnection() throws Exception {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        http = upstream(Map.of(), List.of(), 1024);
        StepVerifier.create(http.postJson(URI.create("http://127.0.0.1:" + closedPort + "/json"),
                UpstreamHttp.KeyPolicy.OPTIONAL, (headers, key) -> {
                }, new byte[0], ERRORS))
            .expectErrorSatisfies(error -> assertThat(((UpstreamException) error).code())
                .isEqualTo("upstream_unreachable"))
            .verify(Duration.ofSeconds(5));

        StepVerifier.create(http.postForEvents(uri("/breaks"), UpstreamHttp.KeyPolicy.OPTIONAL, (headers, key) -> {
        }, new byte[0], ERRORS, List::of).map(SseEvent::text))
            .expectNext("one")
            .expectErrorSatisfies(error -> assertThat(((UpstreamException) error).code())
                .isEqualTo("upstream_connection_lost"))
            .verify(Duration.ofSeconds(5));
    }

    @Test
    void aWholeAnswerMustComeWithinTheFirstByteLimit() {
        http = upstream(Duration.ofSeconds(5), Duration.ofSeconds(5));
        StepVerifier.create(http.postJson(uri("/late-answer"), UpstreamHttp.KeyPolicy.OPTIONAL, (headers, key) -> {
        }, new byte[0], ERRORS).map(answer -> new String(answer, StandardCharsets.UTF_8)))
            .expectNext("{\"late\":true}")
            .verifyComplete();

        http.close();
        http = upstream(Duration.ofMillis(500), Duration.ofSeconds(5));
        StepVerifier.create(http.postJson(uri("/late-answer"), UpstreamHttp.KeyPolicy.OPTIONAL, (headers, key) -> {
        }, new byte[0], ERRORS))
            .expectErrorSatisfies(error -> {
                assertThat(((UpstreamException) error).code()).isEqualTo("upstream_timeout");
                assertThat(error).hasMessageContaining("did not answer in time");
            })
            .verify(Duration.ofSeconds(5));
    }

    @Test
    void aStreamThatGoesQuietPastTheIdleLimitTimesOut() {
        // A first-byte limit far longer than the wait: the idle limit must run from the first event, not after it.
        http = upstream(Duration.ofSeconds(30), Duration.ofMillis(500));
        StepVerifier.create(http.postForEvents(uri("/quiet-after-one"), UpstreamHttp.KeyPolicy.OPTIONAL,
                (headers, key) -> {
                }, new byte[0], ERRORS, List::of).map(SseEvent::text))
            .expectNext("one")
            .expectErrorSatisfies(error -> assertThat(((UpstreamException) error).code()).isEqualTo("upstream_timeout"))
            .verify(Duration.ofSeconds(5));
    }

    /**
     * A client that pauses stops the provider too (its events wait in buffers, then TCP pushes back): the provider's
     * quiet counts from when the client reads on. Counted from the provider's last event, the third event here, 1.4 s
     * after the second, was late by the idle limit of 1 s, though the client had wanted it for only 0.7 s.
     */
    @Test
    void aClientsPauseDoesNotCountAsTheProvidersQuiet() {
        http = upstream(Duration.ofSeconds(30), Duration.ofMillis(1000));
        StepVerifier.create(http.postForEvents(uri("/two-then-a-third"), UpstreamHttp.KeyPolicy.OPTIONAL,
                (headers, key) -> {
                }, new byte[0], ERRORS, List::of).map(SseEvent::text), 1)
            .expectNext("one")
            // The client's pause, which is the scenario: nothing to await but time.
            .thenAwait(Duration.ofMillis(700))
            .thenRequest(1)
            .expectNext("two")
            .thenRequest(1)
            .expectNext("three")
            .verifyComplete();
    }

    /**
     * A client that reads nothing for the idle limit is gone: its stream ends, so that it does not hold the provider's
     * connection, its key and the call's credit hold for ever, and it is its own fault, not the provider's.
     */
    @Test
    void aClientThatStopsReadingForTheIdleLimitEndsItsStreamAsItsOwnFault() {
        http = upstream(Duration.ofSeconds(30), Duration.ofMillis(300));
        StepVerifier.create(http.postForEvents(uri("/quiet-after-one"), UpstreamHttp.KeyPolicy.OPTIONAL,
                (headers, key) -> {
                }, new byte[0], ERRORS, List::of).map(SseEvent::text), 1)
            .expectNext("one")
            .expectErrorSatisfies(error -> {
                assertThat(error).isNotInstanceOf(UpstreamException.class);
                assertThat(((ApiException) error).code()).isEqualTo("client_stalled");
            })
            .verify(Duration.ofSeconds(5));
    }

    @Test
    void keepAliveCommentsKeepAStreamAlivePastTheIdleLimit() {
        // The first-byte limit runs out while the pings come: the watch must go on to the idle limit from there.
        http = upstream(Duration.ofMillis(700), Duration.ofMillis(1000));
        StepVerifier.create(http.postForEvents(uri("/kept-alive"), UpstreamHttp.KeyPolicy.OPTIONAL, (headers, key) -> {
        }, new byte[0], ERRORS, List::of).mapNotNull(SseEvent::text))
            .expectNext("end")
            .verifyComplete();
    }

    @Test
    void theFirstEventHasTheFirstByteLimitNotTheIdleOne() {
        http = upstream(Duration.ofSeconds(5), Duration.ofMillis(500));
        StepVerifier.create(http.postForEvents(uri("/slow-start"), UpstreamHttp.KeyPolicy.OPTIONAL, (headers, key) -> {
        }, new byte[0], ERRORS, List::of).map(SseEvent::text))
            .expectNext("late")
            .verifyComplete();

        http.close();
        http = upstream(Duration.ofMillis(500), Duration.ofSeconds(5));
        StepVerifier.create(http.postForEvents(uri("/slow-start"), UpstreamHttp.KeyPolicy.OPTIONAL, (headers, key) -> {
        }, new byte[0], ERRORS, List::of))
            .expectErrorSatisfies(error -> assertThat(((UpstreamException) error).code()).isEqualTo("upstream_timeout"))
            .verify(Duration.ofSeconds(5));
    }

    /**
     * An event that is no part of the answer (the reader makes nothing of it) leaves the first-byte limit in force: a
     * reasoning model's first token may come minutes after Azure's prompt filter results. The idle limit took over.
     */
    @Test
    void anEventBeforeTheAnswerKeepsTheFirstByteLimit() {
        http = upstream(Duration.ofSeconds(5), Duration.ofMillis(500));
        StepVerifier.create(http.postForEvents(uri("/filtered-then-slow"), UpstreamHttp.KeyPolicy.OPTIONAL,
                (headers, key) -> {
                }, new byte[0], ERRORS, event -> "late".equals(event.text()) ? List.of(event) : List.<SseEvent>of())
                .map(SseEvent::text))
            .expectNext("late")
            .verifyComplete();
    }

    @Test
    void eachEventIsHandedToTheReaderAndWhatItReadsArrivesInOrder() {
        http = upstream(Map.of(), List.of(), 1024);
        StepVerifier.create(http.postForEvents(uri("/events"), UpstreamHttp.KeyPolicy.OPTIONAL, (headers, key) -> {
        }, new byte[0], ERRORS, event -> "done".equals(event.event()) ? List.<String>of()
                : List.of("first", event.text())))
            .expectNext("first", "{\"a\":\"é\"}")
            .verifyComplete();
    }

    @Test
    void withoutAKeyARequiredProviderFailsBeforeAnyTraffic() {
        http = upstream(Map.of(), List.of(), 1024);
        StepVerifier.create(http.postJson(uri("/json"), UpstreamHttp.KeyPolicy.REQUIRED, (headers, key) -> {
        }, new byte[0], ERRORS))
            .expectErrorSatisfies(error -> assertThat(((UpstreamException) error).code())
                .isEqualTo("provider_not_configured"))
            .verify(Duration.ofSeconds(5));
        assertThat(RECEIVED).isEmpty();
    }

    private static UpstreamHttp upstream(Map<String, String> headers, List<String> keys, int maxResponseBytes) {
        return upstream(headers, keys, maxResponseBytes, Duration.ofSeconds(5), Duration.ofSeconds(5));
    }

    private static UpstreamHttp upstream(Duration firstByte, Duration idle) {
        return upstream(Map.of(), List.of(), 1024, firstByte, idle);
    }

    private static UpstreamHttp upstream(Map<String, String> headers, List<String> keys, int maxResponseBytes,
            Duration firstByte, Duration idle) {
        ProviderProperties properties = new ProviderProperties("openai", null, keys, List.of(),
                new ProviderProperties.Timeouts(Duration.ofSeconds(2), firstByte, idle), null, true, true, headers, 10);
        return new UpstreamHttp("fake", properties, URI.create("http://127.0.0.1:" + server.port()),
                maxResponseBytes);
    }

    private static URI uri(String path) {
        return URI.create("http://127.0.0.1:" + server.port() + path);
    }

}
