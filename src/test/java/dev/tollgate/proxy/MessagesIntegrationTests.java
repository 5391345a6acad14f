package dev.tollgate.proxy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.MediaType;
import org.springframework.http.codec.ServerSentEvent;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.test.web.reactive.server.EntityExchangeResult;
import org.springframework.test.web.reactive.server.WebTestClient;
import org.springframework.web.reactive.function.client.WebClient;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import dev.tollgate.testsupport.DashboardUser;
import dev.tollgate.testsupport.FakeReply;
import dev.tollgate.testsupport.FakeUpstream;
import dev.tollgate.testsupport.IntegrationTest;
import dev.tollgate.testsupport.RecordedRequest;
import dev.tollgate.testsupport.RequestLog;
import dev.tollgate.testsupport.TestEnvironment;
import dev.tollgate.testsupport.SseText;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** {@code POST /v1/messages} over raw HTTP: Anthropic's format in and out, for OpenAI and Anthropic models alike. */
@IntegrationTest
class MessagesIntegrationTests {

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
        key = user.createKey("messages");
    }

    @Test
    void aMessageToAnOpenAiModelComesBackAsAnAnthropicMessage() {
        EntityExchangeResult<byte[]> result = messages(Map.of("model", "openai/gpt-4o-mini", "max_tokens", 500,
                "system", "You are a text parser.",
                "messages", List.of(Map.of("role", "user", "content", "How many letters are in Python?"))))
            .expectStatus().isOk()
            .expectHeader().contentType(MediaType.APPLICATION_JSON)
            .expectHeader().exists("x-tollgate-overhead-ms")
            .expectBody().returnResult();

        String generationId = generationId(result);
        assertThat(JSON.readTree(result.getResponseBody())).isEqualTo(JSON.readTree("""
                {"id":"%s","type":"message","role":"assistant","model":"openai/gpt-4o-mini",
                 "content":[{"type":"text","text":"six"}],"stop_reason":"end_turn","stop_sequence":null,
                 "usage":{"input_tokens":33,"cache_creation_input_tokens":0,"cache_read_input_tokens":0,
                          "output_tokens":10}}""".formatted(generationId)));

        RecordedRequest forwarded = upstream.takeRequest();
        assertThat(forwarded.uri()).isEqualTo("/v1/chat/completions");
        assertThat(forwarded.json()).isEqualTo(JSON.readTree("""
                {"model":"gpt-4o-mini","max_completion_tokens":500,"messages":[
                  {"role":"system","content":"You are a text parser."},
                  {"role":"user","content":"How many letters are in Python?"}]}"""));

        Map<String, Object> row = new RequestLog(db).row(generationId);
        assertThat(row.get("tenant_id")).isEqualTo(user.tenantId());
        assertThat(row.get("provider")).isEqualTo("openai");
        assertThat(row.get("status")).isEqualTo(200);
        assertThat(row.get("prompt_tokens")).isEqualTo(33);
        assertThat(row.get("completion_tokens")).isEqualTo(10);
        assertThat(row.get("finish_reason")).isEqualTo("stop");
    }

    /** OpenRouter's routing fields work here as on chat completions, and stay with Tollgate. */
    @Test
    void fallbackModelsAndProviderPreferencesAreTakenAsOnChatCompletions() {
        messages(Map.of("models", List.of("openai/gpt-4o-mini"), "provider", Map.of("order", List.of("openai")),
                "max_tokens", 50, "messages", List.of(Map.of("role", "user", "content", "Hi"))))
            .expectStatus().isOk()
            .expectBody().jsonPath("$.model").isEqualTo("openai/gpt-4o-mini")
            .jsonPath("$.content[0].text").isEqualTo("six");

        JsonNode forwarded = upstream.takeRequest().json();
        assertThat(forwarded.path("model").stringValue()).isEqualTo("gpt-4o-mini");
        assertThat(forwarded.has("models")).isFalse();
        assertThat(forwarded.has("provider")).isFalse();
    }

    @Test
    void aBearerKeyAndTheApiV1PathWorkToo() {
        client.post().uri("/api/v1/messages").header("Authorization", "Bearer " + key)
            .contentType(MediaType.APPLICATION_JSON).bodyValue(simple("openai/gpt-4o-mini", false))
            .exchange()
            .expectStatus().isOk()
            .expectBody().jsonPath("$.content[0].text").isEqualTo("six");
    }

    @Test
    void aStreamFromAnOpenAiModelBecomesAnthropicEvents() {
        EntityExchangeResult<String> result = messages(simple("openai/gpt-4o-mini", true)).expectStatus().isOk()
            .expectHeader().contentTypeCompatibleWith(MediaType.TEXT_EVENT_STREAM)
            .expectHeader().exists("x-tollgate-overhead-ms")
            .expectBody(String.class).returnResult();

        List<Event> events = events(result.getResponseBody());
        assertThat(events).extracting(Event::name).containsExactly("message_start", "content_block_start",
                "content_block_delta", "content_block_stop", "message_delta", "message_stop");
        assertThat(events.get(0).data().path("message").path("id").stringValue()).isEqualTo(generationId(result));
        assertThat(events.get(2).data().path("delta").path("text").stringValue()).isEqualTo("{\"");
        JsonNode delta = events.get(4).data();
        assertThat(delta.path("delta").path("stop_reason").stringValue()).isEqualTo("max_tokens");
        assertThat(delta.path("usage").path("input_tokens").asInt()).isEqualTo(79);
        assertThat(delta.path("usage").path("output_tokens").asInt()).isEqualTo(1);

        Map<String, Object> row = new RequestLog(db).row(generationId(result));
        assertThat(row.get("streamed")).isEqualTo(true);
        assertThat(row.get("prompt_tokens")).isEqualTo(79);
        assertThat(row.get("completion_tokens")).isEqualTo(1);
    }

    @Test
    void aStreamFromAnAnthropicModelKeepsItsInputCountInMessageStart() {
        upstream.enqueue(FakeReply.sseFixture("anthropic/stream-live.sse"));

        EntityExchangeResult<String> result = messages(simple("anthropic/claude-sonnet-4-5", true))
            .expectStatus().isOk().expectBody(String.class).returnResult();

        List<Event> events = events(result.getResponseBody());
        assertThat(events.get(0).data().path("message").path("usage").path("input_tokens").asInt()).isEqualTo(135);
        String text = events.stream().filter(event -> event.name().equals("content_block_delta"))
            .map(event -> event.data().path("delta").path("text").stringValue()).reduce("", String::concat);
        assertThat(text).isEqualTo("[12345,67890]");
        JsonNode delta = events.get(events.size() - 2).data();
        assertThat(delta.path("delta").path("stop_reason").stringValue()).isEqualTo("end_turn");
        assertThat(delta.path("usage").path("output_tokens").asInt()).isEqualTo(10);
        JsonNode sent = upstream.takeRequest().json();
        assertThat(sent.path("max_tokens").asInt()).isEqualTo(64);
        assertThat(sent.path("stream").asBoolean()).isTrue();

        Map<String, Object> row = new RequestLog(db).row(generationId(result));
        assertThat(row.get("provider")).isEqualTo("anthropic");
        assertThat(row.get("prompt_tokens")).isEqualTo(135);
        assertThat(row.get("completion_tokens")).isEqualTo(10);
    }

    /** Where an agent loop puts its cache breakpoints: on the tools and on the last tool result. */
    @Test
    void cacheBreakpointsOnToolsAndToolResultsReachClaude() {
        upstream.enqueue(FakeReply.json(200, """
                {"id":"msg_1","type":"message","role":"assistant","model":"claude-sonnet-4-5",
                 "content":[{"type":"text","text":"Done."}],"stop_reason":"end_turn","stop_sequence":null,
                 "usage":{"input_tokens":1200,"output_tokens":2,"cache_read_input_tokens":1100}}"""));
        Map<String, Object> ephemeral = Map.of("type", "ephemeral");

        messages(Map.of("model", "anthropic/claude-sonnet-4-5", "max_tokens", 64,
                "tools", List.of(Map.of("name", "read_file", "input_schema", Map.of("type", "object"),
                        "cache_control", ephemeral)),
                "messages", List.of(Map.of("role", "user", "content", "Read it."),
                        Map.of("role", "assistant", "content", List.of(Map.of("type", "tool_use", "id", "toolu_1",
                                "name", "read_file", "input", Map.of()))),
                        Map.of("role", "user", "content", List.of(Map.of("type", "tool_result",
                                "tool_use_id", "toolu_1", "content", "the file", "cache_control", ephemeral))))))
            .expectStatus().isOk();

        JsonNode sent = upstream.takeRequest().json();
        assertThat(sent.at("/tools/0/cache_control/type").stringValue()).isEqualTo("ephemeral");
        JsonNode result = sent.at("/messages/2/content/0");
        assertThat(result.path("type").stringValue()).isEqualTo("tool_result");
        assertThat(result.toString()).contains("\"cache_control\":{\"type\":\"ephemeral\"}")
            .contains("the file");
    }

    @Test
    void aStopSequenceClaudeMatchedReachesAnAnthropicClientWholeAndStreamed() {
        upstream.enqueue(FakeReply.json(200, """
                {"id":"msg_1","type":"message","role":"assistant","model":"claude-sonnet-4-5",
                 "content":[{"type":"text","text":"one, two, "}],"stop_reason":"stop_sequence",
                 "stop_sequence":"three","usage":{"input_tokens":12,"output_tokens":6}}"""));

        messages(simple("anthropic/claude-sonnet-4-5", false)).expectStatus().isOk()
            .expectBody()
            .jsonPath("$.stop_reason").isEqualTo("stop_sequence")
            .jsonPath("$.stop_sequence").isEqualTo("three");

        upstream.enqueue(FakeReply.sse("""
                event: message_start
                data: {"type":"message_start","message":{"id":"msg_2","type":"message","role":"assistant","model":"claude-sonnet-4-5","content":[],"usage":{"input_tokens":12,"output_tokens":1}}}

                event: content_block_start
                data: {"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}

                event: content_block_delta
                data: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"one, two, "}}

                event: content_block_stop
                data: {"type":"content_block_stop","index":0}

                event: message_delta
                data: {"type":"message_delta","delta":{"stop_reason":"stop_sequence","stop_sequence":"three"},"usage":{"output_tokens":6}}

                event: message_stop
                data: {"type":"message_stop"}

                """));

        List<Event> events = events(messages(simple("anthropic/claude-sonnet-4-5", true)).expectStatus().isOk()
            .expectBody(String.class).returnResult().getResponseBody());
        JsonNode delta = events.get(events.size() - 2).data().path("delta");
        assertThat(delta.path("stop_reason").stringValue()).isEqualTo("stop_sequence");
        assertThat(delta.path("stop_sequence").stringValue()).isEqualTo("three");
    }

    @Test
    void errorsKeepOpenAisShapeAndLeaveARow() {
        client.post().uri("/v1/messages").contentType(MediaType.APPLICATION_JSON)
            .bodyValue(simple("openai/gpt-4o-mini", false))
            .exchange()
            .expectStatus().isUnauthorized()
            .expectBody().jsonPath("$.error.code").isEqualTo("invalid_api_key");

        String unsupported = generationId(messages(Map.of("model", "openai/gpt-4o-mini", "max_tokens", 10,
                "thinking", Map.of("type", "enabled", "budget_tokens", 1024),
                "messages", List.of(Map.of("role", "user", "content", "Q"))))
            .expectStatus().isBadRequest()
            .expectBody()
            .jsonPath("$.error.param").isEqualTo("thinking")
            .jsonPath("$.error.type").isEqualTo("invalid_request_error")
            .returnResult());
        assertThat(new RequestLog(db).row(unsupported).get("status")).isEqualTo(400);

        messages(simple("openai/gpt-9-ultra", false)).expectStatus().isNotFound()
            .expectBody().jsonPath("$.error.code").isEqualTo("model_not_found");

        upstream.enqueueFailure(FakeReply.fixture(529, "anthropic/error-529.json"));
        String overloaded = generationId(messages(simple("anthropic/claude-sonnet-4-5", true))
            .expectStatus().isEqualTo(503)
            .expectHeader().contentType(MediaType.APPLICATION_JSON)
            .expectBody().jsonPath("$.error.code").isEqualTo("upstream_overloaded")
            .returnResult());
        assertThat(new RequestLog(db).row(overloaded).get("status")).isEqualTo(503);
        assertThat(upstream.requestCount()).as("an overloaded provider is tried again once")
            .isEqualTo(TestEnvironment.ATTEMPTS_PER_ROUTE);
    }

    @Test
    void aStreamThatBreaksEndsWithAnErrorEventInBothShapes() {
        upstream.enqueue(FakeUpstream.longStream(10, Duration.ZERO).droppingAfter(4));

        EntityExchangeResult<String> result = messages(simple("openai/gpt-4o-mini", true)).expectStatus().isOk()
            .expectBody(String.class).returnResult();

        List<Event> events = events(result.getResponseBody());
        Event last = events.get(events.size() - 1);
        assertThat(last.name()).isEqualTo("error");
        assertThat(last.data().path("type").stringValue()).isEqualTo("error");
        assertThat(last.data().path("error").path("code").stringValue()).isEqualTo("upstream_connection_lost");
        assertThat(last.data().path("error").path("type").stringValue()).isEqualTo("upstream_error");
        assertThat(events).extracting(Event::name).doesNotContain("message_stop");
        Map<String, Object> row = new RequestLog(db).row(generationId(result));
        assertThat(row.get("status")).isEqualTo(200);
        assertThat(row.get("error_code")).isEqualTo("upstream_connection_lost");
        assertThat((Integer) row.get("completion_tokens")).as("the text delivered before the break is billed")
            .isPositive();
        assertThat(row.get("usage_source")).isEqualTo("tokenizer");
    }

    @Test
    void aClientHangingUpCancelsTheProviderCallAndLeavesOneRow() {
        upstream.enqueue(FakeUpstream.longStream(200, Duration.ofMillis(20)));

        List<ServerSentEvent<String>> received = WebClient.create("http://127.0.0.1:" + port).post().uri("/v1/messages")
            .header("x-api-key", key)
            .contentType(MediaType.APPLICATION_JSON)
            .bodyValue(simple("openai/gpt-4o-mini", true))
            .retrieve()
            .bodyToFlux(SSE)
            .take(4)
            .collectList()
            .block(Duration.ofSeconds(10));

        assertThat(received).extracting(ServerSentEvent::event).startsWith("message_start", "content_block_start");
        await().atMost(Duration.ofSeconds(5)).until(() -> upstream.cancelledStreams() == 1);
        await().atMost(Duration.ofSeconds(10)).until(() -> rowsOfTenant() == 1);
        Map<String, Object> row = db.sql("select * from request_log where tenant_id = :tenant")
            .bind("tenant", user.tenantId()).fetch().one().block();
        assertThat(row.get("cancelled")).isEqualTo(true);
        assertThat(row.get("status")).isEqualTo(200);
    }

    private long rowsOfTenant() {
        return db.sql("select count(*) as n from request_log where tenant_id = :tenant").bind("tenant", user.tenantId())
            .map(r -> r.get("n", Long.class)).one().block();
    }

    private WebTestClient.ResponseSpec messages(Object body) {
        return client.post().uri("/v1/messages").header("x-api-key", key).header("anthropic-version", "2023-06-01")
            .contentType(MediaType.APPLICATION_JSON).bodyValue(body).exchange();
    }

    static Map<String, Object> simple(String model, boolean stream) {
        return Map.of("model", model, "max_tokens", 64, "stream", stream,
                "messages", List.of(Map.of("role", "user", "content", "Say hi")));
    }

    /** Anthropic SSE text as (event name, data) pairs; every frame must have both. */
    static List<Event> events(String body) {
        List<Event> events = new ArrayList<>();
        for (String frame : SseText.frames(body)) {
            String name = null;
            JsonNode data = null;
            for (String line : frame.split("\n")) {
                if (line.startsWith("event: ")) {
                    name = line.substring(7);
                }
                else if (line.startsWith("data: ")) {
                    data = JSON.readTree(line.substring(6));
                }
            }
            assertThat(name).as("event name of %s", frame).isNotNull();
            assertThat(data).as("data of %s", frame).isNotNull();
            events.add(new Event(name, data));
        }
        return events;
    }

    private static String generationId(EntityExchangeResult<?> result) {
        return result.getResponseHeaders().getFirst("x-tollgate-generation-id");
    }

    record Event(String name, JsonNode data) {
    }

}
