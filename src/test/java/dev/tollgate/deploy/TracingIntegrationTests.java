package dev.tollgate.deploy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeEach;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.MediaType;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.test.web.reactive.server.WebTestClient;

import dev.tollgate.testsupport.DashboardUser;
import dev.tollgate.testsupport.FakeReply;
import dev.tollgate.testsupport.FakeUpstream;
import dev.tollgate.testsupport.IntegrationTest;
import dev.tollgate.testsupport.RecordedRequest;
import dev.tollgate.testsupport.RequestLog;
import dev.tollgate.testsupport.SecondInstance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A client's W3C trace continues through Tollgate to the provider and into the request log; with an OTLP endpoint
 * configured, spans are exported.
 */
@IntegrationTest
class TracingIntegrationTests {

    static final String TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736";

    static final String TRACEPARENT = "00-" + TRACE_ID + "-00f067aa0ba902b7-01";

    /** A Messages API answer of the shape the recorded one has (fixtures/anthropic/message-recording.json). */
    static final String ANTHROPIC_MESSAGE = """
            {"id":"msg_01","type":"message","role":"assistant","model":"claude-sonnet-4-5-20250929",
             "content":[{"type":"text","text":"Hi."}],"stop_reason":"end_turn","stop_sequence":null,
             "usage":{"input_tokens":8,"output_tokens":3}}""";

    @Autowired
    WebTestClient client;

    @Autowired
    DatabaseClient db;

    final FakeUpstream upstream = FakeUpstream.shared();

    @BeforeEach
    void setUp() {
        upstream.reset();
    }

    @Test
    void theClientsTraceContinuesToTheProviderAndIntoTheRequestLog() {
        String key = DashboardUser.signUp(client).createKey("traced");

        String generation = call(client, key).expectStatus().isOk().returnResult(String.class).getResponseHeaders()
            .getFirst("x-tollgate-generation-id");

        assertThat(upstream.takeRequest().header("traceparent"))
            .as("same trace, Tollgate's span as the parent").startsWith("00-" + TRACE_ID + "-")
            .isNotEqualTo(TRACEPARENT);
        assertThat(new RequestLog(db).row(generation).get("trace_id")).isEqualTo(TRACE_ID);
    }

    /**
     * Each adapter hands routing's attempt to the HTTP layer, whole answers and streams alike: the trace goes on to the
     * provider, and the attempt's key and status reach the request log.
     */
    @ParameterizedTest
    @CsvSource(nullValues = "none", value = {
        "anthropic/claude-sonnet-4-5, false, anthropic message",
        "anthropic/claude-sonnet-4-5, true, anthropic/stream-text.sse",
        "google/gemini-2.5-flash, false, gemini/generate-content.json",
        "google/gemini-2.5-flash, true, gemini/stream-text.sse",
        "mistral/mistral-small-latest, false, none",
        "mistral/mistral-small-latest, true, none" })
    void everyAdapterCarriesTheTraceOnAndNotesTheKeyItUsed(String model, boolean stream, @Nullable String fixture) {
        String key = DashboardUser.signUp(client).createKey("adapters");
        if ("anthropic message".equals(fixture)) {
            upstream.enqueue(FakeReply.json(200, ANTHROPIC_MESSAGE));
        }
        else if (fixture != null) {
            upstream.enqueue(fixture.endsWith(".sse") ? FakeReply.sseFixture(fixture)
                    : FakeReply.fixture(200, fixture));
        }

        String generation = client.post().uri("/v1/chat/completions").header("Authorization", "Bearer " + key)
            .header("traceparent", TRACEPARENT)
            .contentType(MediaType.APPLICATION_JSON)
            .bodyValue(Map.of("model", model, "stream", stream, "max_tokens", 20,
                    "messages", List.of(Map.of("role", "user", "content", "hi"))))
            .exchange().expectStatus().isOk().returnResult(String.class).getResponseHeaders()
            .getFirst("x-tollgate-generation-id");

        assertThat(upstream.takeRequest().header("traceparent")).startsWith("00-" + TRACE_ID + "-");
        new RequestLog(db).row(generation);
        Map<String, Object> attempt = db.sql("select * from request_attempt where request_id = :id")
            .bind("id", RequestLog.uuidOf(generation)).fetch().one().block(Duration.ofSeconds(5));
        assertThat(attempt).containsEntry("key_index", 0).containsEntry("status", 200);
    }

    @Test
    void aClientsB3TraceIsContinuedAsW3c() {
        String key = DashboardUser.signUp(client).createKey("b3");

        String generation = client.post().uri("/v1/chat/completions").header("Authorization", "Bearer " + key)
            .header("b3", TRACE_ID + "-00f067aa0ba902b7-1")
            .contentType(MediaType.APPLICATION_JSON)
            .bodyValue(Map.of("model", "openai/gpt-4o-mini", "max_tokens", 20,
                    "messages", List.of(Map.of("role", "user", "content", "hi"))))
            .exchange().expectStatus().isOk().returnResult(String.class).getResponseHeaders()
            .getFirst("x-tollgate-generation-id");

        RecordedRequest request = upstream.takeRequest();
        assertThat(request.header("traceparent")).startsWith("00-" + TRACE_ID + "-");
        assertThat(request.header("b3")).as("only W3C is sent on").isNull();
        assertThat(new RequestLog(db).row(generation).get("trace_id")).isEqualTo(TRACE_ID);
    }

    @Test
    void theClientsBaggageStaysWithTollgate() {
        // Baggage is whatever a client's own services put there (user ids, tenants, flags): none of the provider's
        // business. Only the trace goes on.
        String key = DashboardUser.signUp(client).createKey("baggage");

        call(client, key, Map.of("baggage", "customer=acme,plan=gold")).expectStatus().isOk();

        RecordedRequest request = upstream.takeRequest();
        assertThat(request.header("traceparent")).startsWith("00-" + TRACE_ID + "-");
        assertThat(request.header("baggage")).isNull();
    }

    @Test
    void withAnOtlpEndpointConfiguredSpansAreExported() {
        try (SecondInstance traced = SecondInstance.start(Map.of(
                "management.opentelemetry.tracing.export.otlp.endpoint", upstream.baseUrl() + "/otlp/v1/traces",
                "management.opentelemetry.tracing.export.schedule-delay", "100ms"))) {
            WebTestClient tracedClient = WebTestClient.bindToServer().baseUrl(traced.baseUrl()).build();
            String key = DashboardUser.signUp(tracedClient).createKey("traced");
            upstream.reset();

            String generation = call(tracedClient, key).expectStatus().isOk().returnResult(String.class)
                .getResponseHeaders().getFirst("x-tollgate-generation-id");

            assertThat(new RequestLog(traced.bean(DatabaseClient.class)).row(generation).get("trace_id"))
                .isEqualTo(TRACE_ID);
            List<String> received = new ArrayList<>();
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                received.add(upstream.takeRequest().uri());
                assertThat(received).anyMatch(uri -> uri.startsWith("/v1/chat/completions"))
                    .anyMatch(uri -> uri.equals("/otlp/v1/traces"));
            });
        }
    }

    private static WebTestClient.ResponseSpec call(WebTestClient client, String key) {
        return call(client, key, Map.of());
    }

    private static WebTestClient.ResponseSpec call(WebTestClient client, String key, Map<String, String> headers) {
        return client.post().uri("/v1/chat/completions").header("Authorization", "Bearer " + key)
            .header("traceparent", TRACEPARENT)
            .headers(sent -> headers.forEach(sent::set))
            .contentType(MediaType.APPLICATION_JSON)
            .bodyValue(Map.of("model", "openai/gpt-4o-mini", "max_tokens", 20,
                    "messages", List.of(Map.of("role", "user", "content", "hi"))))
            .exchange();
    }

}
