package dev.tollgate.proxy;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DefaultDataBufferFactory;
import org.springframework.http.MediaType;
import org.springframework.http.codec.ServerSentEvent;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.test.web.reactive.server.EntityExchangeResult;
import org.springframework.test.web.reactive.server.WebTestClient;
import org.springframework.web.reactive.function.client.WebClient;
import reactor.core.publisher.Flux;
import reactor.test.StepVerifier;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import dev.tollgate.testsupport.DashboardUser;
import dev.tollgate.testsupport.FakeReply;
import dev.tollgate.testsupport.FakeUpstream;
import dev.tollgate.testsupport.IntegrationTest;
import dev.tollgate.testsupport.RecordedRequest;
import dev.tollgate.testsupport.RequestLog;
import dev.tollgate.testsupport.SseText;
import dev.tollgate.testsupport.TestEnvironment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

@IntegrationTest
class ChatCompletionsIntegrationTests {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private static final ParameterizedTypeReference<ServerSentEvent<String>> SSE = new ParameterizedTypeReference<>() {
    };

    @Autowired
    WebTestClient client;

    @Autowired
    DatabaseClient db;

    @LocalServerPort
    int port;

    final FakeUpstream upstream = FakeUpstream.shared();

    DashboardUser user;

    String key;

    @BeforeEach
    void setUp() {
        upstream.reset();
        user = DashboardUser.signUp(client);
        key = user.createKey("tests");
    }

    @Test
    void aCallIsForwardedToTheProviderAndAnsweredInOpenAisShape() {
        EntityExchangeResult<byte[]> result = chat(Map.of("model", "openai/gpt-4o-mini", "temperature", 0.7,
                "messages", List.of(Map.of("role", "user", "content", "How many letters are in Python?")),
                "usage", Map.of("include", true), "provider", Map.of("allow_fallbacks", false)))
            .expectStatus().isOk()
            .expectHeader().contentType(MediaType.APPLICATION_JSON)
            .expectBody().returnResult();

        JsonNode body = JSON.readTree(result.getResponseBody());
        String generationId = result.getResponseHeaders().getFirst("x-tollgate-generation-id");
        assertThat(generationId).matches("gen-[0-9a-f]{32}");
        assertThat(body.path("id").stringValue()).isEqualTo(generationId);
        assertThat(result.getResponseHeaders().getContentLength()).as("a whole answer, its length in bytes")
            .isEqualTo(result.getResponseBody().length);
        assertThat(body.path("object").stringValue()).isEqualTo("chat.completion");
        assertThat(body.path("model").stringValue()).isEqualTo("openai/gpt-4o-mini");
        assertThat(body.path("choices").get(0).path("message").path("content").stringValue()).isEqualTo("six");
        assertThat(body.path("usage").path("prompt_tokens").asInt()).isEqualTo(33);
        assertThat(body.path("usage").path("completion_tokens").asInt()).isEqualTo(10);
        assertThat(body.path("usage").path("total_tokens").asInt()).isEqualTo(43);

        RecordedRequest forwarded = upstream.takeRequest();
        assertThat(forwarded.uri()).isEqualTo("/v1/chat/completions");
        assertThat(forwarded.header("Authorization")).isEqualTo("Bearer " + TestEnvironment.OPENAI_UPSTREAM_KEY);
        assertThat(forwarded.header("Accept-Encoding"))
            .as("no compressed answers asked for: NettyLeaks tells the tests' own client apart by its decompressor")
            .isNull();
        JsonNode sent = forwarded.json();
        assertThat(sent.path("model").stringValue()).isEqualTo("gpt-4o-mini");
        assertThat(sent.path("temperature").asDouble()).isEqualTo(0.7);
        assertThat(sent.has("usage")).as("Tollgate's own fields stay with Tollgate").isFalse();
        assertThat(sent.has("provider")).isFalse();
        assertThat(sent.has("stream")).isFalse();
    }

    @Test
    void aRequestSentInSmallPiecesIsReadWhole() {
        String content = "Zähle die Buchstaben in „Python“, bitte. " + "x".repeat(5000);
        byte[] json = JSON.writeValueAsBytes(Map.of("model", "openai/gpt-4o-mini",
                "messages", List.of(Map.of("role", "user", "content", content))));
        // Seven bytes a piece, chunked, without a Content-Length: multi-byte characters are cut between pieces.
        Flux<DataBuffer> pieces = Flux.range(0, (json.length + 6) / 7)
            .map(i -> DefaultDataBufferFactory.sharedInstance.wrap(
                    Arrays.copyOfRange(json, i * 7, Math.min(json.length, i * 7 + 7))));

        client.post().uri("/v1/chat/completions").header("Authorization", "Bearer " + key)
            .contentType(MediaType.APPLICATION_JSON).body(pieces, DataBuffer.class).exchange()
            .expectStatus().isOk();

        JsonNode sent = upstream.takeRequest().json();
        assertThat(sent.path("messages").get(0).path("content").stringValue()).isEqualTo(content);
    }

    @Test
    void everyCallLeavesOneRowInTheRequestLog() {
        String generationId = chat(simpleRequest(false)).expectStatus().isOk().expectBody().returnResult()
            .getResponseHeaders().getFirst("x-tollgate-generation-id");

        Map<String, Object> row = new RequestLog(db).row(generationId);
        assertThat(row.get("tenant_id")).isEqualTo(user.tenantId());
        assertThat(row.get("model")).isEqualTo("openai/gpt-4o-mini");
        assertThat(row.get("provider")).isEqualTo("openai");
        assertThat(row.get("status")).isEqualTo(200);
        assertThat(row.get("streamed")).isEqualTo(false);
        assertThat(row.get("prompt_tokens")).isEqualTo(33);
        assertThat(row.get("completion_tokens")).isEqualTo(10);
        assertThat(row.get("cached_tokens")).isEqualTo(0);
        assertThat(row.get("usage_source")).isEqualTo("upstream");
        assertThat(row.get("finish_reason")).isEqualTo("stop");
        assertThat((Integer) row.get("latency_ms")).isNotNegative();
        assertThat(row.get("ttfb_ms")).isNotNull();
    }

    @Test
    void aStreamIsRelayedAndEndsWithDoneWithoutAUsageChunkTheClientDidNotAskFor() {
        EntityExchangeResult<String> result = chat(simpleRequest(true)).expectStatus().isOk()
            .expectHeader().contentTypeCompatibleWith(MediaType.TEXT_EVENT_STREAM)
            .expectBody(String.class).returnResult();

        List<String> data = SseText.dataOf(result.getResponseBody());
        assertThat(data).hasSize(4).last().isEqualTo("[DONE]");
        assertThat(data.subList(0, 3)).allSatisfy(chunk -> {
            assertThat(chunk).doesNotContain("usage");
            assertThat(JSON.readTree(chunk).path("model").stringValue()).isEqualTo("openai/gpt-4o-mini");
        });
        assertThat(JSON.readTree(data.get(1)).path("choices").get(0).path("delta").path("content").stringValue())
            .isEqualTo("{\"");
        assertThat(upstream.takeRequest().json().path("stream_options").path("include_usage").asBoolean())
            .as("Tollgate always asks the provider for usage").isTrue();

        Map<String, Object> row = new RequestLog(db).row(generationId(result));
        assertThat(row.get("streamed")).isEqualTo(true);
        assertThat(row.get("prompt_tokens")).isEqualTo(79);
        assertThat(row.get("completion_tokens")).isEqualTo(1);
        assertThat(row.get("finish_reason")).isEqualTo("length");
        assertThat(row.get("usage_source")).isEqualTo("upstream");
    }

    @Test
    void aClientThatAsksForUsageGetsTheUsageChunkBeforeDone() {
        Map<String, Object> request = Map.of("model", "openai/gpt-4o-mini", "stream", true,
                "stream_options", Map.of("include_usage", true),
                "messages", List.of(Map.of("role", "user", "content", "Hi")));

        List<String> data = SseText.dataOf(chat(request).expectStatus().isOk().expectBody(String.class).returnResult()
            .getResponseBody());

        assertThat(data).last().isEqualTo("[DONE]");
        JsonNode usageChunk = JSON.readTree(data.get(data.size() - 2));
        assertThat(usageChunk.path("choices").isEmpty()).isTrue();
        assertThat(usageChunk.path("usage").path("prompt_tokens").asInt()).isEqualTo(79);
        assertThat(usageChunk.path("usage").path("completion_tokens").asInt()).isEqualTo(1);
        assertThat(usageChunk.path("usage").path("total_tokens").asInt()).isEqualTo(80);
    }

    @Test
    void chunksReachTheClientWhileTheProviderIsStillGenerating() {
        upstream.enqueue(FakeUpstream.longStream(10, Duration.ZERO).pausingAfter(3));

        Flux<ServerSentEvent<String>> events = streamEvents(simpleRequest(true));

        StepVerifier.create(events)
            .expectNextCount(3)
            .then(() -> assertThat(upstream.cancelledStreams()).isZero())
            .then(upstream::resume)
            .thenConsumeWhile(event -> !"[DONE]".equals(event.data()))
            .expectNextMatches(event -> "[DONE]".equals(event.data()))
            .verifyComplete();
    }

    @Test
    void aClientHangingUpCancelsTheProviderCall() {
        upstream.enqueue(FakeUpstream.longStream(200, Duration.ofMillis(20)));

        List<ServerSentEvent<String>> received = streamEvents(simpleRequest(true)).take(3).collectList()
            .block(Duration.ofSeconds(10));

        assertThat(received).hasSize(3);
        await().atMost(Duration.ofSeconds(5)).until(() -> upstream.cancelledStreams() == 1);
    }

    @Test
    void aProviderDroppingTheStreamEndsItWithAnErrorEvent() {
        upstream.enqueue(FakeUpstream.longStream(10, Duration.ZERO).droppingAfter(4));

        EntityExchangeResult<String> result = chat(simpleRequest(true)).expectStatus().isOk()
            .expectBody(String.class).returnResult();

        List<String> data = SseText.dataOf(result.getResponseBody());
        assertThat(data).hasSize(5).doesNotContain("[DONE]");
        JsonNode error = JSON.readTree(data.get(4)).path("error");
        assertThat(error.path("code").stringValue()).isEqualTo("upstream_connection_lost");
        assertThat(error.path("type").stringValue()).isEqualTo("upstream_error");
        Map<String, Object> row = new RequestLog(db).row(generationId(result));
        assertThat(row.get("error_code")).isEqualTo("upstream_connection_lost");
        assertThat(row.get("status")).isEqualTo(200);
    }

    /** Billed from Tollgate's own count, a prompt is all the provider tokenized: its tool schemas too. */
    @Test
    void aStreamCutBeforeItsUsageBillsThePromptsToolsToo() {
        upstream.enqueue(FakeUpstream.longStream(10, Duration.ZERO).droppingAfter(4));
        String description = "Looks a word up in the dictionary of the language named. ".repeat(200);
        Map<String, Object> tool = Map.of("type", "function", "function", Map.of("name", "lookup",
                "description", description, "parameters", Map.of("type", "object")));

        EntityExchangeResult<String> result = chat(Map.of("model", "openai/gpt-4o-mini", "stream", true,
                "tools", List.of(tool), "messages", List.of(Map.of("role", "user", "content", "hi"))))
            .expectStatus().isOk().expectBody(String.class).returnResult();

        Map<String, Object> row = new RequestLog(db).row(generationId(result));
        assertThat(row.get("usage_source")).isEqualTo("tokenizer");
        // 200 repetitions of an 11-word sentence: well over 2,000 tokens, where "hi" alone is one.
        assertThat((Integer) row.get("prompt_tokens")).isGreaterThan(2_000);
    }

    @Test
    void aStreamThatEndsCleanlyBeforeItsEndIsCutShortNotComplete() {
        String chunk = "data: {\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"created\":1,"
                + "\"model\":\"gpt-4o-mini\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hi\"},"
                + "\"finish_reason\":%s}]}\n\n";
        // The body ends properly after one chunk: no finish_reason, no [DONE].
        upstream.enqueue(FakeReply.sse(chunk.formatted("null")));

        EntityExchangeResult<String> result = chat(simpleRequest(true)).expectStatus().isOk()
            .expectBody(String.class).returnResult();

        List<String> data = SseText.dataOf(result.getResponseBody());
        assertThat(data).hasSize(2).doesNotContain("[DONE]");
        assertThat(JSON.readTree(data.get(1)).path("error").path("code").stringValue())
            .isEqualTo("upstream_malformed_response");
        assertThat(new RequestLog(db).row(generationId(result)).get("error_code"))
            .isEqualTo("upstream_malformed_response");

        // A compatible server that leaves [DONE] out after its finish_reason has ended its answer.
        upstream.enqueue(FakeReply.sse(chunk.formatted("null") + chunk.formatted("\"stop\"")));

        List<String> finished = SseText.dataOf(chat(simpleRequest(true)).expectStatus().isOk()
            .expectBody(String.class).returnResult().getResponseBody());
        assertThat(finished).hasSize(3).last().isEqualTo("[DONE]");
    }

    @Test
    void theSamePathsAnswerUnderApiV1() {
        client.post().uri("/api/v1/chat/completions").header("Authorization", "Bearer " + key)
            .contentType(MediaType.APPLICATION_JSON).bodyValue(simpleRequest(false))
            .exchange()
            .expectStatus().isOk()
            .expectBody().jsonPath("$.choices[0].message.content").isEqualTo("six");
    }

    private WebTestClient.ResponseSpec chat(Object body) {
        return client.post().uri("/v1/chat/completions").header("Authorization", "Bearer " + key)
            .contentType(MediaType.APPLICATION_JSON).bodyValue(body).exchange();
    }

    private Flux<ServerSentEvent<String>> streamEvents(Object body) {
        return WebClient.create("http://127.0.0.1:" + port).post().uri("/v1/chat/completions")
            .header("Authorization", "Bearer " + key)
            .contentType(MediaType.APPLICATION_JSON)
            .bodyValue(body)
            .retrieve()
            .bodyToFlux(SSE);
    }

    static Map<String, Object> simpleRequest(boolean stream) {
        return Map.of("model", "openai/gpt-4o-mini", "stream", stream,
                "messages", List.of(Map.of("role", "user", "content", "Say hi")));
    }

    private static String generationId(EntityExchangeResult<?> result) {
        return result.getResponseHeaders().getFirst("x-tollgate-generation-id");
    }

}
