package dev.tollgate.proxy;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DefaultDataBufferFactory;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.test.web.reactive.server.WebTestClient;
import reactor.core.publisher.Flux;

import dev.tollgate.testsupport.DashboardUser;
import dev.tollgate.testsupport.FakeReply;
import dev.tollgate.testsupport.FakeUpstream;
import dev.tollgate.testsupport.IntegrationTest;
import dev.tollgate.testsupport.RequestLog;

import static org.assertj.core.api.Assertions.assertThat;

/** Every failure a client of the proxy can meet answers in OpenAI's error shape with the contract's status. */
@IntegrationTest
class ProxyErrorsIntegrationTests {

    @Autowired
    WebTestClient client;

    @LocalServerPort
    int port;

    @Autowired
    DatabaseClient db;

    final FakeUpstream upstream = FakeUpstream.shared();

    DashboardUser user;

    String key;

    @BeforeEach
    void setUp() {
        upstream.reset();
        user = DashboardUser.signUp(client);
        key = user.createKey("errors");
    }

    @Test
    void malformedJsonIs400() {
        send("{\"model\": \"openai/gpt-4o-mini\", \"messages\": [")
            .expectStatus().isBadRequest()
            .expectBody()
            .jsonPath("$.error.type").isEqualTo("invalid_request_error")
            .jsonPath("$.error.message").value(message -> assertThat((String) message).contains("not valid JSON"));
        assertThat(upstream.requestCount()).isZero();
    }

    @Test
    void aMissingModelIs400NamingTheField() {
        send(Map.of("messages", List.of(Map.of("role", "user", "content", "hi"))))
            .expectStatus().isBadRequest()
            .expectBody().jsonPath("$.error.param").isEqualTo("model");
    }

    @Test
    void aMaxTokensBeyondALongIs400NamingTheField() {
        send("{\"model\":\"openai/gpt-4o-mini\",\"max_tokens\":99999999999999999999,"
                + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}")
            .expectStatus().isBadRequest()
            .expectBody().jsonPath("$.error.param").isEqualTo("max_tokens");
        assertThat(upstream.requestCount()).isZero();
    }

    @Test
    void missingMessagesAre400NamingTheField() {
        send(Map.of("model", "openai/gpt-4o-mini"))
            .expectStatus().isBadRequest()
            .expectBody().jsonPath("$.error.param").isEqualTo("messages");
        send(Map.of("model", "openai/gpt-4o-mini", "messages", List.of()))
            .expectStatus().isBadRequest()
            .expectBody().jsonPath("$.error.param").isEqualTo("messages");
    }

    @Test
    void aBodyOverTenMebibytesIs413() {
        String huge = "x".repeat(10 * 1024 * 1024 + 1);
        send(Map.of("model", "openai/gpt-4o-mini", "messages", List.of(Map.of("role", "user", "content", huge))))
            .expectStatus().isEqualTo(413)
            .expectBody().jsonPath("$.error.code").isEqualTo("request_too_large");
        assertThat(upstream.requestCount()).isZero();
    }

    @Test
    void aBodyOverTheLimitIs413EvenWithoutAContentLength() {
        // Sent in pieces (chunked), so the size is only known by reading: the reader stops at the limit.
        byte[] piece = "x".repeat(1024 * 1024).getBytes(StandardCharsets.US_ASCII);
        Flux<DataBuffer> pieces = Flux.range(0, 11).map(i -> DefaultDataBufferFactory.sharedInstance.wrap(piece));

        client.post().uri("/v1/chat/completions").header("Authorization", "Bearer " + key)
            .contentType(MediaType.APPLICATION_JSON).body(pieces, DataBuffer.class).exchange()
            .expectStatus().isEqualTo(413)
            .expectBody().jsonPath("$.error.code").isEqualTo("request_too_large");
        assertThat(upstream.requestCount()).isZero();
    }

    @Test
    void anEmptyBodyIs400() {
        client.post().uri("/v1/chat/completions").header("Authorization", "Bearer " + key)
            .contentType(MediaType.APPLICATION_JSON).exchange()
            .expectStatus().isBadRequest()
            .expectBody().jsonPath("$.error.message").isEqualTo("The request body is empty; send a JSON object.");
        assertThat(upstream.requestCount()).isZero();
    }

    /** A wrong method or body type says, in OpenAI's shape, what the endpoint takes instead (Allow, Accept). */
    @Test
    void aWrongMethodOrMediaTypeSaysWhatTheEndpointTakes() {
        client.get().uri("/api/billing/checkout").cookie("TOLLGATE_SESSION", user.session()).exchange()
            .expectStatus().isEqualTo(HttpStatus.METHOD_NOT_ALLOWED)
            .expectHeader().value(HttpHeaders.ALLOW, allow -> assertThat(allow).contains("POST"))
            .expectBody().jsonPath("$.error.code").isEqualTo("method_not_allowed");
        client.post().uri("/api/keys").cookie("TOLLGATE_SESSION", user.session())
            .cookie("XSRF-TOKEN", user.csrfToken()).header("X-XSRF-TOKEN", user.csrfToken())
            .contentType(MediaType.TEXT_PLAIN).bodyValue("name=laptop").exchange()
            .expectStatus().isEqualTo(HttpStatus.UNSUPPORTED_MEDIA_TYPE)
            .expectHeader().value(HttpHeaders.ACCEPT, accept -> assertThat(accept).contains("application/json"))
            .expectBody().jsonPath("$.error.code").isEqualTo("unsupported_media_type");
    }

    @Test
    void noKeyIs401() {
        client.post().uri("/v1/chat/completions").contentType(MediaType.APPLICATION_JSON)
            .bodyValue(ChatCompletionsIntegrationTests.simpleRequest(false))
            .exchange()
            .expectStatus().isUnauthorized()
            // Every answer carries a generation id, a refused one too (for the client's report and the logs).
            .expectHeader().value(ChatCompletionsHandler.GENERATION_HEADER, id -> assertThat(id).startsWith("gen-"))
            .expectBody()
            .jsonPath("$.error.code").isEqualTo("invalid_api_key")
            .jsonPath("$.error.message").value(message -> assertThat((String) message).contains("No API key"));
    }

    @Test
    void anUnknownKeyIs401() {
        client.post().uri("/v1/chat/completions").header("Authorization", "Bearer sk-tg-v1-" + "0".repeat(64))
            .contentType(MediaType.APPLICATION_JSON).bodyValue(ChatCompletionsIntegrationTests.simpleRequest(false))
            .exchange()
            .expectStatus().isUnauthorized()
            .expectBody().jsonPath("$.error.code").isEqualTo("invalid_api_key");
        client.post().uri("/v1/chat/completions").header("Authorization", "Bearer not-even-a-key")
            .contentType(MediaType.APPLICATION_JSON).bodyValue(ChatCompletionsIntegrationTests.simpleRequest(false))
            .exchange()
            .expectStatus().isUnauthorized();
    }

    @Test
    void anUnknownModelIs404AndNeverReachesAProvider() {
        String generationId = send(Map.of("model", "openai/gpt-9-ultra", "messages",
                List.of(Map.of("role", "user", "content", "hi"))))
            .expectStatus().isNotFound()
            .expectBody()
            .jsonPath("$.error.code").isEqualTo("model_not_found")
            .jsonPath("$.error.param").isEqualTo("model")
            .returnResult().getResponseHeaders().getFirst("x-tollgate-generation-id");
        assertThat(upstream.requestCount()).isZero();
        Map<String, Object> row = new RequestLog(db).row(generationId);
        assertThat(row.get("status")).isEqualTo(404);
        assertThat(row.get("usage_source")).isEqualTo("none");
    }

    @Test
    void aProviderFailingIs502() {
        upstream.enqueueFailure(FakeReply.json(500, "{\"error\":{\"message\":\"The server had an error\",\"type\":\"server_error\","
                + "\"param\":null,\"code\":null}}"));

        send(ChatCompletionsIntegrationTests.simpleRequest(false))
            .expectStatus().isEqualTo(HttpStatus.BAD_GATEWAY)
            .expectHeader().contentType(MediaType.APPLICATION_JSON)
            .expectBody()
            .jsonPath("$.error.type").isEqualTo("upstream_error")
            .jsonPath("$.error.message").value(message -> assertThat((String) message)
                .contains("HTTP 500").contains("The server had an error"));
    }

    /** A count no tokenizer produces is a broken answer, not a bill: 502 like any malformed one, nothing charged. */
    @Test
    void anAnswerWhoseUsageCountIsBeyondALongIs502AndChargesNothing() {
        upstream.enqueueFailure(FakeReply.json(200, "{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion\","
                + "\"created\":1,\"model\":\"gpt-4o-mini\",\"choices\":[{\"index\":0,\"message\":"
                + "{\"role\":\"assistant\",\"content\":\"hi\"},\"finish_reason\":\"stop\"}],"
                + "\"usage\":{\"prompt_tokens\":1e30,\"completion_tokens\":2,\"total_tokens\":3}}"));

        send(ChatCompletionsIntegrationTests.simpleRequest(false))
            .expectStatus().isEqualTo(HttpStatus.BAD_GATEWAY)
            .expectBody()
            .jsonPath("$.error.type").isEqualTo("upstream_error")
            .jsonPath("$.error.code").isEqualTo("upstream_malformed_response");
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5)).untilAsserted(() ->
            assertThat(db.sql("select status, charge_micros from request_log where tenant_id = :tenant")
                .bind("tenant", user.tenantId())
                .map(row -> row.get("status", Integer.class) + " " + row.get("charge_micros", Long.class))
                .all().collectList().block())
                .containsExactly("502 0"));
    }

    @Test
    void aProviderRejectingTollgatesCredentialsIs502NotTheClients401() {
        upstream.enqueue(FakeReply.fixture(401, "openai/error-401.json"));

        send(ChatCompletionsIntegrationTests.simpleRequest(false))
            .expectStatus().isEqualTo(HttpStatus.BAD_GATEWAY)
            .expectBody().jsonPath("$.error.code").isEqualTo("upstream_auth_failed");
    }

    @Test
    void aProviderRateLimitIs429WithRetryAfter() {
        upstream.enqueue(FakeReply.json(429, "{\"error\":{\"message\":\"Rate limit reached\",\"type\":\"requests\","
                + "\"param\":null,\"code\":\"rate_limit_exceeded\"}}").withHeader("retry-after", "7"));

        send(ChatCompletionsIntegrationTests.simpleRequest(false))
            .expectStatus().isEqualTo(HttpStatus.TOO_MANY_REQUESTS)
            .expectHeader().valueEquals("Retry-After", "7")
            .expectBody().jsonPath("$.error.code").isEqualTo("upstream_rate_limited");
    }

    /**
     * OpenAI answers an account out of credit with a 429 that no wait mends: it used to be a 429 with Retry-After: 1 to
     * the client, after retries on the same route, where it is the operator's to fix, as refused credentials are.
     */
    @Test
    void aProviderAccountOutOfQuotaIs502NotARateLimit() {
        upstream.enqueue(FakeReply.json(429, "{\"error\":{\"message\":\"You exceeded your current quota, please "
                + "check your plan and billing details.\",\"type\":\"insufficient_quota\",\"param\":null,"
                + "\"code\":\"insufficient_quota\"}}"));

        send(ChatCompletionsIntegrationTests.simpleRequest(false))
            .expectStatus().isEqualTo(HttpStatus.BAD_GATEWAY)
            .expectHeader().doesNotExist("Retry-After")
            .expectBody().jsonPath("$.error.code").isEqualTo("upstream_quota_exhausted");
        assertThat(upstream.requestCount()).as("not tried again on the same route").isEqualTo(1);
    }

    @Test
    void aProviderThatNeverAnswersIs504() {
        upstream.enqueueFailure(FakeReply.hang());

        send(shortTimeoutRequest(false))
            .expectStatus().isEqualTo(HttpStatus.GATEWAY_TIMEOUT)
            .expectBody().jsonPath("$.error.code").isEqualTo("upstream_timeout");
    }

    @Test
    void aStreamWhoseProviderNeverAnswersIs504BeforeAnyByte() {
        upstream.enqueueFailure(FakeReply.hang());

        send(shortTimeoutRequest(true))
            .expectStatus().isEqualTo(HttpStatus.GATEWAY_TIMEOUT)
            .expectHeader().contentType(MediaType.APPLICATION_JSON)
            .expectBody().jsonPath("$.error.code").isEqualTo("upstream_timeout");
    }

    @Test
    void aStreamThatStallsMidWayEndsWithATimeoutEvent() {
        upstream.enqueue(FakeUpstream.longStream(10, Duration.ZERO).pausingAfter(3));

        String body = send(shortTimeoutRequest(true))
            .expectStatus().isOk()
            .expectBody(String.class).returnResult().getResponseBody();

        assertThat(body).contains("\"code\":\"upstream_timeout\"").doesNotContain("[DONE]");
    }

    @Test
    void aModelWhoseProviderIsNotConfiguredIs503() {
        db.sql("insert into model (id, provider, upstream_id, name, context_length) values "
                + "('nowhere/model', 'nowhere', 'model', 'Nowhere', 1000) on conflict do nothing").then().block();
        // The catalog re-reads the table every few seconds; wait for it rather than sleeping a fixed time.
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(15)).untilAsserted(() ->
            send(Map.of("model", "nowhere/model", "messages", List.of(Map.of("role", "user", "content", "hi"))))
                .expectStatus().isEqualTo(HttpStatus.SERVICE_UNAVAILABLE)
                .expectBody().jsonPath("$.error.code").isEqualTo("no_provider_available"));
    }

    @Test
    void unknownPathsAndMethodsAnswerInJson() {
        client.get().uri("/v1/nothing-here").exchange()
            .expectStatus().isNotFound()
            .expectHeader().contentType(MediaType.APPLICATION_JSON)
            .expectBody().jsonPath("$.error.type").isEqualTo("invalid_request_error");
        // Paths Spring Security's firewall refuses before anything else sees them.
        for (String path : List.of("/v1//models", "/v1/models;x=1", "/v1/models/%2F")) {
            client.get().uri(URI.create("http://localhost:" + port + path)).exchange()
                .expectStatus().isBadRequest()
                .expectHeader().contentType(MediaType.APPLICATION_JSON)
                .expectBody().jsonPath("$.error.code").isEqualTo("request_rejected");
        }
    }

    /** A request for a model whose provider (mistral) the tests configure with 2-second timeouts. */
    private static Map<String, Object> shortTimeoutRequest(boolean stream) {
        return Map.of("model", "mistral/mistral-small-latest", "stream", stream, "max_tokens", 50,
                "messages", List.of(Map.of("role", "user", "content", "Say hi")));
    }

    private WebTestClient.ResponseSpec send(Object body) {
        return client.post().uri("/v1/chat/completions").header("Authorization", "Bearer " + key)
            .contentType(MediaType.APPLICATION_JSON).bodyValue(body).exchange();
    }

}
