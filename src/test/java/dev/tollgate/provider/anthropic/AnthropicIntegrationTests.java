package dev.tollgate.provider.anthropic;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.MediaType;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.test.web.reactive.server.EntityExchangeResult;
import org.springframework.test.web.reactive.server.WebTestClient;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import dev.tollgate.testsupport.DashboardUser;
import dev.tollgate.testsupport.FakeReply;
import dev.tollgate.testsupport.FakeUpstream;
import dev.tollgate.testsupport.Fixtures;
import dev.tollgate.testsupport.IntegrationTest;
import dev.tollgate.testsupport.RecordedRequest;
import dev.tollgate.testsupport.RequestLog;
import dev.tollgate.testsupport.SseText;
import dev.tollgate.testsupport.TestEnvironment;

import static org.assertj.core.api.Assertions.assertThat;

/** OpenAI-format calls to {@code anthropic/*} models, through Tollgate, against a fake Anthropic replaying transcripts. */
@IntegrationTest
class AnthropicIntegrationTests {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private static final String MODEL = "anthropic/claude-sonnet-4-5";

    // Read up front: the fake answers on a Netty event loop, where BlockHound forbids file reads.
    private static final String MESSAGE = AnthropicResponseMapperTests.recordedMessage();

    private static final String STREAM_LIVE = Fixtures.text("anthropic/stream-live.sse");

    @Autowired
    WebTestClient client;

    @Autowired
    DatabaseClient db;

    final FakeUpstream upstream = FakeUpstream.shared();

    String key;

    @BeforeEach
    void setUp() {
        upstream.reset();
        key = DashboardUser.signUp(client).createKey("anthropic");
    }

    @Test
    void aPlainCallReachesAnthropicAndComesBackInOpenAisShape() {
        upstream.enqueue(FakeReply.json(200, MESSAGE));

        EntityExchangeResult<byte[]> result = chat(Map.of("model", MODEL, "temperature", 0.3,
                "messages", List.of(Map.of("role", "user", "content", "Extract: 2 Green Tea at $5.50"))))
            .expectStatus().isOk().expectBody().returnResult();

        JsonNode body = JSON.readTree(result.getResponseBody());
        String generationId = result.getResponseHeaders().getFirst("x-tollgate-generation-id");
        assertThat(body.path("id").stringValue()).isEqualTo(generationId);
        assertThat(body.path("model").stringValue()).isEqualTo(MODEL);
        assertThat(body.path("choices").get(0).path("message").path("content").stringValue())
            .isEqualTo("{\"product_name\": \"Green Tea\", \"price\": 5.50, \"quantity\": 2}");
        assertThat(body.path("choices").get(0).path("finish_reason").stringValue()).isEqualTo("stop");
        assertThat(body.path("usage").path("prompt_tokens").asInt()).isEqualTo(249);
        assertThat(body.path("usage").path("completion_tokens").asInt()).isEqualTo(26);

        RecordedRequest sent = upstream.takeRequest();
        assertThat(sent.uri()).isEqualTo("/anthropic/v1/messages");
        assertThat(sent.header("x-api-key")).isEqualTo(TestEnvironment.ANTHROPIC_UPSTREAM_KEY);
        assertThat(sent.header("anthropic-version")).isEqualTo("2023-06-01");
        assertThat(sent.header("Authorization")).isNull();
        assertThat(sent.json()).isEqualTo(JSON.readTree("""
                {"model":"claude-sonnet-4-5","max_tokens":4096,
                 "messages":[{"role":"user","content":[{"type":"text","text":"Extract: 2 Green Tea at $5.50"}]}],
                 "temperature":0.3}"""));

        Map<String, Object> row = new RequestLog(db).row(generationId);
        assertThat(row.get("provider")).isEqualTo("anthropic");
        assertThat(row.get("model")).isEqualTo(MODEL);
        assertThat(row.get("status")).isEqualTo(200);
        assertThat(row.get("prompt_tokens")).isEqualTo(249);
        assertThat(row.get("completion_tokens")).isEqualTo(26);
        assertThat(row.get("finish_reason")).isEqualTo("stop");
        assertThat(row.get("usage_source")).isEqualTo("upstream");
    }

    @Test
    void aMultiTurnConversationWithASystemPromptIsSentAsAnthropicWantsIt() {
        upstream.enqueue(FakeReply.json(200, MESSAGE));

        chat(Map.of("model", MODEL, "max_tokens", 300, "messages", List.of(
                Map.of("role", "system", "content", "You extract orders."),
                Map.of("role", "user", "content", "Hi"),
                Map.of("role", "assistant", "content", "Hello! What should I extract?"),
                Map.of("role", "user", "content", "2 Green Tea"),
                Map.of("role", "user", "content", "at $5.50 each"))))
            .expectStatus().isOk();

        JsonNode sent = upstream.takeRequest().json();
        assertThat(sent.path("max_tokens").asInt()).isEqualTo(300);
        assertThat(sent.path("system")).isEqualTo(JSON.readTree("[{\"type\":\"text\",\"text\":\"You extract orders.\"}]"));
        assertThat(sent.path("messages")).extracting(message -> message.path("role").stringValue())
            .containsExactly("user", "assistant", "user");
        assertThat(sent.path("messages").get(2).path("content")).hasSize(2);
    }

    @Test
    void aToolCallRoundTrip() {
        // Not a recording: a tool_use answer in the documented Messages shape (the recordings have none unstreamed).
        upstream.enqueue(FakeReply.json(200, """
                {"id":"msg_01A","type":"message","role":"assistant","model":"claude-sonnet-4-5-20250929",
                 "content":[{"type":"text","text":"I'll check."},
                   {"type":"tool_use","id":"toolu_01NRLabsLyVHZPKxbKvkfSMn","name":"get_weather","input":{"location":"Paris"}}],
                 "stop_reason":"tool_use","stop_sequence":null,"usage":{"input_tokens":377,"output_tokens":65}}"""),
                FakeReply.json(200, MESSAGE));
        Map<String, Object> tool = Map.of("type", "function", "function", Map.of("name", "get_weather",
                "parameters", Map.of("type", "object", "properties", Map.of("location", Map.of("type", "string")))));
        Map<String, Object> question = Map.of("role", "user", "content", "Weather in Paris?");

        JsonNode first = JSON.readTree(chat(Map.of("model", MODEL, "tools", List.of(tool), "tool_choice", "auto",
                "messages", List.of(question))).expectStatus().isOk().expectBody().returnResult().getResponseBody());

        JsonNode answer = first.path("choices").get(0);
        assertThat(answer.path("finish_reason").stringValue()).isEqualTo("tool_calls");
        JsonNode call = answer.path("message").path("tool_calls").get(0);
        assertThat(call.path("id").stringValue()).isEqualTo("toolu_01NRLabsLyVHZPKxbKvkfSMn");
        assertThat(call.path("function").path("name").stringValue()).isEqualTo("get_weather");
        assertThat(JSON.readTree(call.path("function").path("arguments").stringValue()))
            .isEqualTo(JSON.readTree("{\"location\":\"Paris\"}"));
        JsonNode firstSent = upstream.takeRequest().json();
        assertThat(firstSent.path("tools").get(0).path("input_schema").path("properties").has("location")).isTrue();
        assertThat(firstSent.path("tool_choice")).isEqualTo(JSON.readTree("{\"type\":\"auto\"}"));

        chat(Map.of("model", MODEL, "tools", List.of(tool), "messages", List.of(question,
                JSON.convertValue(answer.path("message"), Map.class),
                Map.of("role", "tool", "tool_call_id", call.path("id").stringValue(), "content", "18C, sunny"))))
            .expectStatus().isOk();

        JsonNode secondSent = upstream.takeRequest().json();
        assertThat(secondSent.path("messages").get(1).path("content")).isEqualTo(JSON.readTree("""
                [{"type":"text","text":"I'll check."},
                 {"type":"tool_use","id":"toolu_01NRLabsLyVHZPKxbKvkfSMn","name":"get_weather","input":{"location":"Paris"}}]"""));
        assertThat(secondSent.path("messages").get(2)).isEqualTo(JSON.readTree("""
                {"role":"user","content":[{"type":"tool_result","tool_use_id":"toolu_01NRLabsLyVHZPKxbKvkfSMn",
                  "content":"18C, sunny"}]}"""));
    }

    @Test
    void aStreamedAnswerIsRelayedAsOpenAiChunksAndBilledFromTheCumulativeUsage() {
        upstream.enqueue(FakeReply.sse(STREAM_LIVE));

        EntityExchangeResult<String> result = chat(Map.of("model", MODEL, "stream", true,
                "stream_options", Map.of("include_usage", true),
                "messages", List.of(Map.of("role", "user", "content", "Extract order IDs"))))
            .expectStatus().isOk()
            .expectHeader().contentTypeCompatibleWith(MediaType.TEXT_EVENT_STREAM)
            .expectBody(String.class).returnResult();

        List<JsonNode> chunks = chunks(result.getResponseBody());
        assertThat(SseText.dataOf(result.getResponseBody())).last().isEqualTo("[DONE]");
        assertThat(chunks.get(0).path("choices").get(0).path("delta").path("role").stringValue())
            .isEqualTo("assistant");
        assertThat(text(chunks)).isEqualTo("[12345,67890]");
        assertThat(chunks).allSatisfy(chunk -> assertThat(chunk.path("model").stringValue()).isEqualTo(MODEL));
        JsonNode usage = chunks.get(chunks.size() - 1).path("usage");
        assertThat(usage.path("prompt_tokens").asInt()).isEqualTo(135);
        assertThat(usage.path("completion_tokens").asInt()).isEqualTo(10);
        assertThat(upstream.takeRequest().json().path("stream").asBoolean()).isTrue();

        Map<String, Object> row = new RequestLog(db).row(generationId(result));
        assertThat(row.get("streamed")).isEqualTo(true);
        assertThat(row.get("prompt_tokens")).isEqualTo(135);
        assertThat(row.get("completion_tokens")).isEqualTo(10);
        assertThat(row.get("finish_reason")).isEqualTo("stop");
    }

    @Test
    void aStreamedToolCallArrivesAsToolCallDeltas() {
        upstream.enqueue(FakeReply.sseFixture("anthropic/stream-tool-use.sse"));

        EntityExchangeResult<String> result = chat(Map.of("model", MODEL, "stream", true,
                "messages", List.of(Map.of("role", "user", "content", "Weather in Paris?"))))
            .expectStatus().isOk().expectBody(String.class).returnResult();

        List<JsonNode> chunks = chunks(result.getResponseBody());
        StringBuilder arguments = new StringBuilder();
        List<String> ids = new ArrayList<>();
        for (JsonNode chunk : chunks) {
            for (JsonNode call : chunk.path("choices").get(0).path("delta").path("tool_calls")) {
                assertThat(call.path("index").asInt()).isZero();
                if (call.has("id")) {
                    ids.add(call.path("id").stringValue());
                }
                arguments.append(call.path("function").path("arguments").asString(""));
            }
        }
        assertThat(ids).containsExactly("toolu_01NRLabsLyVHZPKxbKvkfSMn");
        assertThat(JSON.readTree(arguments.toString())).isEqualTo(JSON.readTree("{\"location\": \"Paris\"}"));
        assertThat(chunks.get(chunks.size() - 1).path("choices").get(0).path("finish_reason").stringValue())
            .isEqualTo("tool_calls");
        Map<String, Object> row = new RequestLog(db).row(generationId(result));
        assertThat(row.get("prompt_tokens")).isEqualTo(377);
        assertThat(row.get("completion_tokens")).isEqualTo(65);
        assertThat(row.get("finish_reason")).isEqualTo("tool_calls");
    }

    @Test
    void cacheReadsAndWritesAreRecordedAsTheProviderReportedThem() {
        // The live stream and message with their zero cache counts changed (no recording has non-zero ones).
        upstream.enqueue(FakeReply.sse(STREAM_LIVE.replace("\"cache_creation_input_tokens\":0",
                "\"cache_creation_input_tokens\":300").replace("\"cache_read_input_tokens\":0",
                "\"cache_read_input_tokens\":2000")),
                FakeReply.json(200, MESSAGE.replace("\"cache_creation_input_tokens\":0",
                        "\"cache_creation_input_tokens\":300").replace("\"cache_read_input_tokens\":0",
                        "\"cache_read_input_tokens\":2000")));

        String streamed = generationId(chat(Map.of("model", MODEL, "stream", true,
                "messages", List.of(Map.of("role", "user", "content", "Q"))))
            .expectStatus().isOk().expectBody(String.class).returnResult());
        EntityExchangeResult<byte[]> whole = chat(Map.of("model", MODEL,
                "messages", List.of(Map.of("role", "user", "content", "Q"))))
            .expectStatus().isOk().expectBody().returnResult();

        Map<String, Object> streamedRow = new RequestLog(db).row(streamed);
        assertThat(streamedRow.get("prompt_tokens")).isEqualTo(135 + 2000 + 300);
        assertThat(streamedRow.get("cached_tokens")).isEqualTo(2000);
        assertThat(streamedRow.get("cache_write_tokens")).isEqualTo(300);
        assertThat(streamedRow.get("completion_tokens")).isEqualTo(10);
        Map<String, Object> wholeRow = new RequestLog(db).row(generationId(whole));
        assertThat(wholeRow.get("prompt_tokens")).isEqualTo(249 + 2000 + 300);
        assertThat(wholeRow.get("cached_tokens")).isEqualTo(2000);
        assertThat(wholeRow.get("cache_write_tokens")).isEqualTo(300);
        // Each kind at its own Sonnet 4.5 price (micro-USD per Mtok, V3 seed): 249 × 3 + 2000 × 0.3 + 300 × 3.75
        // input, 26 × 15 output.
        assertThat(((Number) wholeRow.get("cost_micros")).longValue()).isEqualTo(747 + 600 + 1125 + 390);
        JsonNode usage = JSON.readTree(whole.getResponseBody()).path("usage");
        assertThat(usage.path("prompt_tokens_details").path("cached_tokens").asInt()).isEqualTo(2000);
    }

    /**
     * A one-hour cache write ({@code "cache_control":{"type":"ephemeral","ttl":"1h"}}) costs twice the input price,
     * not the five-minute write's 1.25 times: billed as the latter, each one cost the operator more than it charged.
     */
    @Test
    void oneHourCacheWritesArePricedAtTwiceTheInputPrice() {
        java.util.function.UnaryOperator<String> hourWrites = body -> body
            .replace("\"cache_creation_input_tokens\":0", "\"cache_creation_input_tokens\":300")
            .replace("\"ephemeral_5m_input_tokens\":0", "\"ephemeral_5m_input_tokens\":100")
            .replace("\"ephemeral_1h_input_tokens\":0", "\"ephemeral_1h_input_tokens\":200");
        upstream.enqueue(FakeReply.sse(hourWrites.apply(STREAM_LIVE)), FakeReply.json(200, hourWrites.apply(MESSAGE)));

        String streamed = generationId(chat(Map.of("model", MODEL, "stream", true,
                "messages", List.of(Map.of("role", "user", "content", "Q"))))
            .expectStatus().isOk().expectBody(String.class).returnResult());
        String whole = generationId(chat(Map.of("model", MODEL,
                "messages", List.of(Map.of("role", "user", "content", "Q"))))
            .expectStatus().isOk().expectBody().returnResult());

        // Sonnet 4.5 (micro-USD per token): input 3, five-minute write 3.75, one-hour write 6, output 15.
        Map<String, Object> wholeRow = new RequestLog(db).row(whole);
        assertThat(wholeRow.get("cache_write_tokens")).isEqualTo(300);
        assertThat(((Number) wholeRow.get("cost_micros")).longValue()).isEqualTo(249 * 3 + 375 + 1200 + 26 * 15);
        Map<String, Object> streamedRow = new RequestLog(db).row(streamed);
        assertThat(((Number) streamedRow.get("cost_micros")).longValue()).isEqualTo(135 * 3 + 375 + 1200 + 10 * 15);
    }

    @Test
    void anthropicsErrorsReachTheClientInOpenAisShapeWithTheRightStatus() {
        assertError(FakeReply.fixture(400, "anthropic/error-400.json"), 400, "upstream_invalid_request");
        // Not recordings: the bodies Anthropic documents for 401 and 500.
        assertError(FakeReply.json(401, "{\"type\":\"error\",\"error\":{\"type\":\"authentication_error\","
                + "\"message\":\"invalid x-api-key\"}}"), 502, "upstream_auth_failed");
        assertError(FakeReply.json(500, "{\"type\":\"error\",\"error\":{\"type\":\"api_error\","
                + "\"message\":\"Internal server error\"}}"), 502, "upstream_error");
        assertError(FakeReply.fixture(529, "anthropic/error-529.json"), 503, "upstream_overloaded");
    }

    @Test
    void aRateLimitKeepsItsRetryAfter() {
        upstream.enqueue(FakeReply.fixture(429, "anthropic/error-429.json").withHeader("retry-after", "17"));

        EntityExchangeResult<byte[]> result = chat(simple(false)).expectStatus().isEqualTo(429)
            .expectHeader().valueEquals("Retry-After", "17")
            .expectBody()
            .jsonPath("$.error.code").isEqualTo("upstream_rate_limited")
            .jsonPath("$.error.message").value(message -> assertThat((String) message).contains("rate limit"))
            .returnResult();

        assertThat(new RequestLog(db).row(generationId(result)).get("status")).isEqualTo(429);
    }

    @Test
    void aStreamCutShortEndsWithAnErrorEventAndIsBilledForWhatWasReported() {
        upstream.enqueue(FakeReply.sse(STREAM_LIVE).droppingAfter(5));

        EntityExchangeResult<String> result = chat(simple(true)).expectStatus().isOk()
            .expectBody(String.class).returnResult();

        List<String> data = SseText.dataOf(result.getResponseBody());
        assertThat(data).doesNotContain("[DONE]");
        assertThat(JSON.readTree(data.get(data.size() - 1)).path("error").path("code").stringValue())
            .isEqualTo("upstream_connection_lost");
        Map<String, Object> row = new RequestLog(db).row(generationId(result));
        assertThat(row.get("status")).isEqualTo(200);
        assertThat(row.get("error_code")).isEqualTo("upstream_connection_lost");
        assertThat(row.get("prompt_tokens")).as("message_start's input count").isEqualTo(135);
        assertThat((Integer) row.get("completion_tokens")).as("at least message_start's output count")
            .isGreaterThanOrEqualTo(1);
    }

    @Test
    void aStreamThatStopsBeforeMessageStopIsReportedAsBroken() {
        List<String> frames = SseText.frames(STREAM_LIVE);
        upstream.enqueue(FakeReply.sse(String.join("", frames.subList(0, frames.size() - 2))));

        EntityExchangeResult<String> result = chat(simple(true)).expectStatus().isOk()
            .expectBody(String.class).returnResult();

        List<String> data = SseText.dataOf(result.getResponseBody());
        assertThat(JSON.readTree(data.get(data.size() - 1)).path("error").path("code").stringValue())
            .isEqualTo("upstream_malformed_response");
        assertThat(new RequestLog(db).row(generationId(result)).get("error_code"))
            .isEqualTo("upstream_malformed_response");
    }

    @Test
    void anErrorEventInTheStreamEndsItWithAnOpenAiErrorEvent() {
        List<String> frames = SseText.frames(Fixtures.text("anthropic/stream-text.sse"));
        upstream.enqueue(FakeReply.sse(String.join("", frames.subList(0, 4))
                + Fixtures.text("anthropic/stream-error-event.sse")));

        List<String> data = SseText.dataOf(chat(simple(true)).expectStatus().isOk().expectBody(String.class)
            .returnResult().getResponseBody());

        JsonNode error = JSON.readTree(data.get(data.size() - 1)).path("error");
        assertThat(error.path("code").stringValue()).isEqualTo("upstream_overloaded");
        assertThat(error.path("message").stringValue()).contains("Overloaded");
    }

    /**
     * Anthropic may send overloaded_error right after message_start, before any of the answer: nothing has reached the
     * client then, so the call is tried again. The opening used to be relayed at once, committing the call to the
     * failed attempt.
     */
    @Test
    void anOverloadedErrorBeforeTheAnswerStartsIsRetried() {
        List<String> frames = SseText.frames(Fixtures.text("anthropic/stream-text.sse"));
        upstream.enqueue(FakeReply.sse(frames.get(0) + Fixtures.text("anthropic/stream-error-event.sse")));
        upstream.enqueue(FakeReply.sseFixture("anthropic/stream-text.sse"));

        String body = chat(simple(true)).expectStatus().isOk().expectBody(String.class).returnResult()
            .getResponseBody();

        assertThat(upstream.requestCount()).isEqualTo(2);
        assertThat(body).doesNotContain("\"error\"").contains("Hello").contains("data: [DONE]");
        assertThat(SseText.dataOf(body).stream().filter(data -> data.contains("\"role\":\"assistant\""))).hasSize(1);
    }

    @Test
    void anUnsupportedParameterIsA400BeforeAnyUpstreamCall() {
        chat(Map.of("model", MODEL, "seed", 42, "messages", List.of(Map.of("role", "user", "content", "Q"))))
            .expectStatus().isBadRequest()
            .expectBody()
            .jsonPath("$.error.param").isEqualTo("seed")
            .jsonPath("$.error.code").isEqualTo("unsupported_parameter");
        assertThat(upstream.requestCount()).isZero();
    }

    private void assertError(FakeReply reply, int status, String code) {
        upstream.enqueueFailure(reply);
        EntityExchangeResult<byte[]> result = chat(simple(false)).expectStatus().isEqualTo(status)
            .expectBody()
            .jsonPath("$.error.code").isEqualTo(code)
            .jsonPath("$.error.message").exists()
            .returnResult();
        assertThat(new RequestLog(db).row(generationId(result)).get("status")).isEqualTo(status);
    }

    private WebTestClient.ResponseSpec chat(Object body) {
        return client.post().uri("/v1/chat/completions").header("Authorization", "Bearer " + key)
            .contentType(MediaType.APPLICATION_JSON).bodyValue(body).exchange();
    }

    private static Map<String, Object> simple(boolean stream) {
        return Map.of("model", MODEL, "stream", stream, "messages", List.of(Map.of("role", "user", "content", "Q")));
    }

    private static List<JsonNode> chunks(String body) {
        return SseText.dataOf(body).stream().filter(data -> !data.equals("[DONE]")).map(JSON::readTree).toList();
    }

    private static String text(List<JsonNode> chunks) {
        StringBuilder text = new StringBuilder();
        for (JsonNode chunk : chunks) {
            for (JsonNode choice : chunk.path("choices")) {
                text.append(choice.path("delta").path("content").asString(""));
            }
        }
        return text.toString();
    }

    private static String generationId(EntityExchangeResult<?> result) {
        return result.getResponseHeaders().getFirst("x-tollgate-generation-id");
    }

}
