package dev.tollgate.cache;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import io.micrometer.core.instrument.MeterRegistry;
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
import dev.tollgate.testsupport.IntegrationTest;
import dev.tollgate.testsupport.RequestLog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The response cache: a call that asks for it ({@code x-tollgate-cache}) is answered from its tenant's kept answer to
 * the same request, without a provider and without a charge; anything else goes to the provider as usual.
 */
@IntegrationTest
class ResponseCacheIntegrationTests {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private static final String ANSWER = """
            {"id":"chatcmpl-cache","object":"chat.completion","created":1764000000,"model":"gpt-4o-mini",
             "choices":[{"index":0,"message":{"role":"assistant","content":"%s"},"finish_reason":"stop"}],
             "usage":{"prompt_tokens":1000,"completion_tokens":500,"total_tokens":1500}}""";

    @Autowired
    WebTestClient client;

    @Autowired
    DatabaseClient db;

    @Autowired
    MeterRegistry meters;

    final FakeUpstream upstream = FakeUpstream.shared();

    DashboardUser user;

    String key;

    @BeforeEach
    void setUp() {
        upstream.reset();
        user = DashboardUser.signUp(client);
        key = user.createKey("cached");
    }

    @Test
    void theSameRequestAskedAgainIsAnsweredFromTheCacheFreeOfCharge() {
        upstream.enqueue(FakeReply.json(200, ANSWER.formatted("Paris")));
        Map<String, Object> request = question("What is the capital of France?");

        EntityExchangeResult<byte[]> first = chat(request, Map.of("x-tollgate-cache", "true"))
            .expectStatus().isOk().expectHeader().valueEquals("x-tollgate-cache", "miss")
            .expectBody().returnResult();
        EntityExchangeResult<byte[]> second = chat(request, Map.of("x-tollgate-cache", "true"))
            .expectStatus().isOk().expectHeader().valueEquals("x-tollgate-cache", "hit")
            .expectBody().returnResult();

        assertThat(upstream.requestCount()).as("only the first call reached the provider").isEqualTo(1);
        JsonNode fresh = JSON.readTree(first.getResponseBody());
        JsonNode kept = JSON.readTree(second.getResponseBody());
        assertThat(kept.at("/choices/0/message/content").stringValue()).isEqualTo("Paris");
        assertThat(kept.path("id").stringValue()).as("each call has its own generation id")
            .isEqualTo(generationId(second)).isNotEqualTo(fresh.path("id").stringValue());
        assertThat(kept.path("model").stringValue()).isEqualTo("openai/gpt-4o-mini");
        assertThat(kept.at("/usage/total_tokens").asInt()).isEqualTo(1500);
        assertThat(fresh.at("/usage/cost").decimalValue()).isPositive();
        assertThat(kept.at("/usage/cost").decimalValue()).isZero();

        Map<String, Object> paid = new RequestLog(db).row(generationId(first));
        Map<String, Object> free = new RequestLog(db).row(generationId(second));
        assertThat(paid.get("usage_source")).isEqualTo("upstream");
        assertThat((Long) paid.get("charge_micros")).isPositive();
        assertThat(free.get("usage_source")).isEqualTo("cache");
        assertThat(free.get("provider")).isEqualTo("openai");
        assertThat(free.get("prompt_tokens")).isEqualTo(1000);
        assertThat(free.get("charge_micros")).isEqualTo(0L);
        assertThat(free.get("cost_micros")).isEqualTo(0L);
        Long usageEntries = db.sql("select count(*) from ledger_entry where tenant_id = :t and kind = 'usage'")
            .bind("t", user.tenantId()).map(row -> row.get(0, Long.class)).one().block();
        assertThat(usageEntries).as("one debit, for the call the provider answered").isEqualTo(1L);
    }

    @Test
    void callsThatDoNotAskAreNeitherServedNorKept() {
        Map<String, Object> request = question("Tell me a joke");
        upstream.enqueue(FakeReply.json(200, ANSWER.formatted("one")), FakeReply.json(200, ANSWER.formatted("two")),
                FakeReply.json(200, ANSWER.formatted("three")));

        chat(request, Map.of()).expectStatus().isOk().expectHeader().doesNotExist("x-tollgate-cache");
        chat(request, Map.of("x-tollgate-cache", "true")).expectStatus().isOk()
            .expectHeader().valueEquals("x-tollgate-cache", "miss")
            .expectBody().jsonPath("$.choices[0].message.content").isEqualTo("two");
        chat(request, Map.of("x-tollgate-cache", "false")).expectStatus().isOk()
            .expectBody().jsonPath("$.choices[0].message.content").isEqualTo("three");

        assertThat(upstream.requestCount()).isEqualTo(3);
    }

    @Test
    void anotherTenantOrAnotherParameterIsAnotherEntry() {
        Map<String, Object> request = question("Name a colour");
        upstream.enqueue(FakeReply.json(200, ANSWER.formatted("red")), FakeReply.json(200, ANSWER.formatted("blue")),
                FakeReply.json(200, ANSWER.formatted("green")));
        chat(request, Map.of("x-tollgate-cache", "true")).expectStatus().isOk();

        String otherKey = DashboardUser.signUp(client).createKey("other");
        client.post().uri("/v1/chat/completions").header("Authorization", "Bearer " + otherKey)
            .header("x-tollgate-cache", "true").contentType(MediaType.APPLICATION_JSON).bodyValue(request).exchange()
            .expectStatus().isOk().expectHeader().valueEquals("x-tollgate-cache", "miss")
            .expectBody().jsonPath("$.choices[0].message.content").isEqualTo("blue");
        Map<String, Object> warmer = new java.util.HashMap<>(request);
        warmer.put("temperature", 1.5);
        chat(warmer, Map.of("x-tollgate-cache", "true")).expectStatus().isOk()
            .expectHeader().valueEquals("x-tollgate-cache", "miss")
            .expectBody().jsonPath("$.choices[0].message.content").isEqualTo("green");
        chat(request, Map.of("x-tollgate-cache", "true")).expectStatus().isOk()
            .expectHeader().valueEquals("x-tollgate-cache", "hit")
            .expectBody().jsonPath("$.choices[0].message.content").isEqualTo("red");

        assertThat(upstream.requestCount()).isEqualTo(3);
    }

    @Test
    void theSameRequestWithItsFieldsInAnotherOrderIsTheSameEntry() {
        upstream.enqueue(FakeReply.json(200, ANSWER.formatted("ordered")));
        String oneWay = """
                {"model":"openai/gpt-4o-mini","temperature":0,"messages":[{"role":"user","content":"Same?"}]}""";
        String otherWay = """
                {"messages":[{"content":"Same?","role":"user"}],"temperature":0,"model":"openai/gpt-4o-mini"}""";

        for (String[] call : new String[][] {{oneWay, "miss"}, {otherWay, "hit"}}) {
            client.post().uri("/v1/chat/completions").header("Authorization", "Bearer " + key)
                .header("x-tollgate-cache", "true").contentType(MediaType.APPLICATION_JSON).bodyValue(call[0])
                .exchange()
                .expectStatus().isOk().expectHeader().valueEquals("x-tollgate-cache", call[1])
                .expectBody().jsonPath("$.choices[0].message.content").isEqualTo("ordered");
        }
        assertThat(upstream.requestCount()).isEqualTo(1);
    }

    @Test
    void refreshReplacesTheKeptAnswerAndATtlEndsIt() {
        Map<String, Object> request = question("What time is it?");
        upstream.enqueue(FakeReply.json(200, ANSWER.formatted("noon")), FakeReply.json(200, ANSWER.formatted("one")));
        chat(request, Map.of("x-tollgate-cache", "true")).expectStatus().isOk();

        chat(request, Map.of("x-tollgate-cache", "refresh", "x-tollgate-cache-ttl", "1")).expectStatus().isOk()
            .expectHeader().valueEquals("x-tollgate-cache", "miss")
            .expectBody().jsonPath("$.choices[0].message.content").isEqualTo("one");
        chat(request, Map.of("x-tollgate-cache", "true")).expectStatus().isOk()
            .expectHeader().valueEquals("x-tollgate-cache", "hit")
            .expectBody().jsonPath("$.choices[0].message.content").isEqualTo("one");

        // Kept for one second: once it is gone, the call goes to the provider again.
        upstream.enqueue(FakeReply.json(200, ANSWER.formatted("two")));
        await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(100)).until(() -> "miss".equals(
                chat(request, Map.of("x-tollgate-cache", "true")).expectStatus().isOk()
                    .returnResult(String.class).getResponseHeaders().getFirst("x-tollgate-cache")));
        assertThat(upstream.requestCount()).isEqualTo(3);
    }

    @Test
    void aStreamIsKeptPutBackTogetherAndServesStreamsAndWholeCallsAlike() {
        upstream.enqueue(FakeReply.sse(chunk("{\"role\":\"assistant\",\"content\":\"Bon\"}", null)
                + chunk("{\"content\":\"jour !\"}", null) + chunk("{}", "\"stop\"")
                + "data: {\"id\":\"chatcmpl-s\",\"object\":\"chat.completion.chunk\",\"created\":1764000000,"
                + "\"model\":\"gpt-4o-mini\",\"choices\":[],\"usage\":{\"prompt_tokens\":21,\"completion_tokens\":4,"
                + "\"total_tokens\":25}}\n\ndata: [DONE]\n\n"));
        Map<String, Object> streamed = new java.util.HashMap<>(question("Say hello in French"));
        streamed.put("stream", true);

        String fresh = chat(streamed, Map.of("x-tollgate-cache", "true")).expectStatus().isOk()
            .expectHeader().valueEquals("x-tollgate-cache", "miss").expectBody(String.class).returnResult()
            .getResponseBody();
        EntityExchangeResult<String> replayed = chat(streamed, Map.of("x-tollgate-cache", "true")).expectStatus().isOk()
            .expectHeader().valueEquals("x-tollgate-cache", "hit").expectBody(String.class).returnResult();
        JsonNode whole = JSON.readTree(chat(question("Say hello in French"), Map.of("x-tollgate-cache", "true"))
            .expectStatus().isOk().expectHeader().valueEquals("x-tollgate-cache", "hit")
            .expectBody().returnResult().getResponseBody());

        assertThat(upstream.requestCount()).as("one provider call for three answers").isEqualTo(1);
        assertThat(text(fresh)).isEqualTo("Bonjour !");
        assertThat(text(replayed.getResponseBody())).isEqualTo("Bonjour !");
        List<String> data = dev.tollgate.testsupport.SseText.dataOf(replayed.getResponseBody());
        assertThat(data).last().isEqualTo("[DONE]");
        JsonNode usage = JSON.readTree(data.get(data.size() - 2));
        assertThat(usage.at("/usage/total_tokens").asInt()).isEqualTo(25);
        assertThat(usage.at("/usage/cost").decimalValue()).isZero();
        assertThat(usage.path("id").stringValue()).isEqualTo(generationId(replayed));
        assertThat(whole.at("/choices/0/message/content").stringValue()).isEqualTo("Bonjour !");
        assertThat(whole.at("/choices/0/finish_reason").stringValue()).isEqualTo("stop");
        assertThat(whole.at("/usage/prompt_tokens").asInt()).isEqualTo(21);
        Map<String, Object> row = new RequestLog(db).row(generationId(replayed));
        assertThat(row.get("usage_source")).isEqualTo("cache");
        assertThat(row.get("streamed")).isEqualTo(true);
        assertThat(row.get("charge_micros")).isEqualTo(0L);
    }

    @Test
    void aStreamedToolCallIsKeptWhole() {
        String call = "{\"tool_calls\":[{\"index\":0,%s\"function\":{%s\"arguments\":\"%s\"}}]}";
        upstream.enqueue(FakeReply.sse(chunk(call.formatted("\"id\":\"call_1\",\"type\":\"function\",",
                "\"name\":\"weather\",", "{\\\"city\\\":"), null)
                + chunk(call.formatted("", "", "\\\"Paris\\\"}"), null) + chunk("{}", "\"tool_calls\"")
                + "data: {\"id\":\"chatcmpl-s\",\"object\":\"chat.completion.chunk\",\"created\":1764000000,"
                + "\"model\":\"gpt-4o-mini\",\"choices\":[],\"usage\":{\"prompt_tokens\":30,\"completion_tokens\":9,"
                + "\"total_tokens\":39}}\n\ndata: [DONE]\n\n"));
        Map<String, Object> request = new java.util.HashMap<>(question("Weather in Paris?"));
        request.put("tools", List.of(Map.of("type", "function", "function", Map.of("name", "weather",
                "parameters", Map.of("type", "object", "properties", Map.of("city", Map.of("type", "string")))))));
        Map<String, Object> streamed = new java.util.HashMap<>(request);
        streamed.put("stream", true);

        chat(streamed, Map.of("x-tollgate-cache", "true")).expectStatus().isOk()
            .expectHeader().valueEquals("x-tollgate-cache", "miss").expectBody(String.class).returnResult();
        chat(request, Map.of("x-tollgate-cache", "true")).expectStatus().isOk()
            .expectHeader().valueEquals("x-tollgate-cache", "hit")
            .expectBody()
            .jsonPath("$.choices[0].finish_reason").isEqualTo("tool_calls")
            .jsonPath("$.choices[0].message.tool_calls[0].id").isEqualTo("call_1")
            .jsonPath("$.choices[0].message.tool_calls[0].function.name").isEqualTo("weather")
            .jsonPath("$.choices[0].message.tool_calls[0].function.arguments").isEqualTo("{\"city\":\"Paris\"}");
        assertThat(upstream.requestCount()).isEqualTo(1);
    }

    @Test
    void aStreamWithLogprobsIsNotKeptAndAWholeAnswerWithThemIsNotReplayedAsAStream() {
        upstream.enqueue(FakeReply.sse("data: {\"id\":\"chatcmpl-s\",\"object\":\"chat.completion.chunk\","
                + "\"created\":1764000000,\"model\":\"gpt-4o-mini\",\"choices\":[{\"index\":0,\"delta\":"
                + "{\"content\":\"Hi\"},\"logprobs\":{\"content\":[{\"token\":\"Hi\",\"logprob\":-0.1,\"bytes\":[72,105],"
                + "\"top_logprobs\":[]}]},\"finish_reason\":\"stop\"}]}\n\n"
                + "data: {\"id\":\"chatcmpl-s\",\"object\":\"chat.completion.chunk\",\"created\":1764000000,"
                + "\"model\":\"gpt-4o-mini\",\"choices\":[],\"usage\":{\"prompt_tokens\":5,\"completion_tokens\":1,"
                + "\"total_tokens\":6}}\n\ndata: [DONE]\n\n"),
                FakeReply.json(200, """
                {"id":"chatcmpl-w","object":"chat.completion","created":1764000000,"model":"gpt-4o-mini",
                 "choices":[{"index":0,"message":{"role":"assistant","content":"Hi"},
                  "logprobs":{"content":[{"token":"Hi","logprob":-0.1,"bytes":[72,105],"top_logprobs":[]}]},
                  "finish_reason":"stop"}],"usage":{"prompt_tokens":5,"completion_tokens":1,"total_tokens":6}}"""),
                FakeReply.sse(chunk("{\"content\":\"Hi\"}", "\"stop\"") + USAGE_CHUNK + "data: [DONE]\n\n"));
        Map<String, Object> whole = new java.util.HashMap<>(question("Hi with logprobs"));
        whole.put("logprobs", true);
        Map<String, Object> streamed = new java.util.HashMap<>(whole);
        streamed.put("stream", true);

        chat(streamed, Map.of("x-tollgate-cache", "true")).expectStatus().isOk().expectBody(String.class)
            .returnResult();
        chat(whole, Map.of("x-tollgate-cache", "true")).expectStatus().isOk()
            .expectHeader().valueEquals("x-tollgate-cache", "miss")
            .expectBody().jsonPath("$.choices[0].logprobs.content[0].token").isEqualTo("Hi");
        double hits = meters.get("tollgate.cache.requests").tag("result", "hit").counter().count();
        chat(streamed, Map.of("x-tollgate-cache", "true")).expectStatus().isOk()
            .expectHeader().valueEquals("x-tollgate-cache", "miss").expectBody(String.class).returnResult();
        assertThat(meters.get("tollgate.cache.requests").tag("result", "hit").counter().count())
            .as("the stream counted as the miss it was").isEqualTo(hits);
        // That stream's own answer, with less in it, did not take the whole answer's place.
        chat(whole, Map.of("x-tollgate-cache", "true")).expectStatus().isOk()
            .expectHeader().valueEquals("x-tollgate-cache", "hit")
            .expectBody().jsonPath("$.choices[0].logprobs.content[0].token").isEqualTo("Hi");
        assertThat(upstream.requestCount()).isEqualTo(3);
    }

    @Test
    void aStreamWithoutTheProvidersUsageIsNotKept() {
        upstream.enqueue(FakeReply.sse(chunk("{\"content\":\"Hi\"}", "\"stop\"") + "data: [DONE]\n\n"),
                FakeReply.json(200, ANSWER.formatted("again")));
        Map<String, Object> streamed = new java.util.HashMap<>(question("Unmetered?"));
        streamed.put("stream", true);

        chat(streamed, Map.of("x-tollgate-cache", "true")).expectStatus().isOk().expectBody(String.class)
            .returnResult();
        chat(question("Unmetered?"), Map.of("x-tollgate-cache", "true")).expectStatus().isOk()
            .expectHeader().valueEquals("x-tollgate-cache", "miss");
        assertThat(upstream.requestCount()).isEqualTo(2);
    }

    @Test
    void failuresAreNotKept() {
        Map<String, Object> request = question("Fail first");
        upstream.enqueueFailure(FakeReply.json(500, "{\"error\":{\"message\":\"boom\",\"type\":\"server_error\"}}"));
        chat(request, Map.of("x-tollgate-cache", "true")).expectStatus().is5xxServerError();
        int failedAttempts = upstream.requestCount();
        upstream.enqueue(FakeReply.json(200, ANSWER.formatted("fine")));
        chat(request, Map.of("x-tollgate-cache", "true")).expectStatus().isOk()
            .expectHeader().valueEquals("x-tollgate-cache", "miss")
            .expectBody().jsonPath("$.choices[0].message.content").isEqualTo("fine");
        assertThat(upstream.requestCount()).isEqualTo(failedAttempts + 1);
    }

    @Test
    void aFallbacksAnswerIsNotKeptForTheModelAskedFor() {
        Map<String, Object> request = Map.of("model", "openai/gpt-4o-mini", "models", List.of("mistral/mistral-small-latest"),
                "messages", List.of(Map.of("role", "user", "content", "Which model are you?")));
        upstream.enqueueFailure(FakeReply.json(500, "{\"error\":{\"message\":\"down\",\"type\":\"server_error\"}}"));
        upstream.enqueue(FakeReply.json(200, ANSWER.formatted("the fallback")),
                FakeReply.json(200, ANSWER.formatted("the first choice")));

        chat(request, Map.of("x-tollgate-cache", "true")).expectStatus().isOk()
            .expectBody().jsonPath("$.model").isEqualTo("mistral/mistral-small-latest");
        chat(request, Map.of("x-tollgate-cache", "true")).expectStatus().isOk()
            .expectHeader().valueEquals("x-tollgate-cache", "miss")
            .expectBody().jsonPath("$.choices[0].message.content").isEqualTo("the first choice")
            .jsonPath("$.model").isEqualTo("openai/gpt-4o-mini");
    }

    @Test
    void aHitCountsThePromptWhenTheProviderReportedNoUsageAsAFreshCallDoes() {
        upstream.enqueue(FakeReply.json(200, """
                {"id":"chatcmpl-nousage","object":"chat.completion","created":1764000000,"model":"gpt-4o-mini",
                 "choices":[{"index":0,"message":{"role":"assistant","content":"No usage here"},"finish_reason":"stop"}]}"""));
        Map<String, Object> request = question("Count my prompt, please, even from the cache");

        JsonNode fresh = JSON.readTree(chat(request, Map.of("x-tollgate-cache", "true")).expectStatus().isOk()
            .expectBody().returnResult().getResponseBody());
        JsonNode kept = JSON.readTree(chat(request, Map.of("x-tollgate-cache", "true")).expectStatus().isOk()
            .expectHeader().valueEquals("x-tollgate-cache", "hit").expectBody().returnResult().getResponseBody());

        assertThat(fresh.at("/usage/prompt_tokens").asInt()).isPositive();
        assertThat(kept.at("/usage/prompt_tokens").asInt()).isEqualTo(fresh.at("/usage/prompt_tokens").asInt());
        assertThat(kept.at("/usage/completion_tokens").asInt()).isEqualTo(fresh.at("/usage/completion_tokens").asInt());
    }

    @Test
    void messagesCallsAreServedFromTheCacheInAnthropicsShape() {
        upstream.enqueue(FakeReply.json(200, ANSWER.formatted("Bonjour")));
        Map<String, Object> request = Map.of("model", "openai/gpt-4o-mini", "max_tokens", 100,
                "messages", List.of(Map.of("role", "user", "content", "Say hello in French")));
        for (String expected : List.of("miss", "hit")) {
            client.post().uri("/v1/messages").header("x-api-key", key).header("x-tollgate-cache", "true")
                .contentType(MediaType.APPLICATION_JSON).bodyValue(request).exchange()
                .expectStatus().isOk().expectHeader().valueEquals("x-tollgate-cache", expected)
                .expectBody()
                .jsonPath("$.type").isEqualTo("message")
                .jsonPath("$.content[0].text").isEqualTo("Bonjour")
                .jsonPath("$.usage.input_tokens").isEqualTo(1000);
        }
        Map<String, Object> streamed = new java.util.HashMap<>(request);
        streamed.put("stream", true);
        String events = client.post().uri("/v1/messages").header("x-api-key", key).header("x-tollgate-cache", "true")
            .contentType(MediaType.APPLICATION_JSON).bodyValue(streamed).exchange()
            .expectStatus().isOk().expectHeader().valueEquals("x-tollgate-cache", "hit")
            .expectBody(String.class).returnResult().getResponseBody();
        assertThat(events).contains("event: message_start").contains("\"text\":\"Bonjour\"")
            .contains("\"stop_reason\":\"end_turn\"").contains("event: message_stop");
        String start = events.substring(events.indexOf("event: message_start"));
        assertThat(start.substring(0, start.indexOf("\n\n"))).as("the kept usage, in message_start")
            .contains("\"input_tokens\":1000");
        assertThat(upstream.requestCount()).isEqualTo(1);
    }

    @Test
    void nonsenseInTheHeadersIsA400() {
        chat(question("x"), Map.of("x-tollgate-cache", "sometimes")).expectStatus().isBadRequest()
            .expectBody().jsonPath("$.error.param").isEqualTo("x-tollgate-cache");
        chat(question("x"), Map.of("x-tollgate-cache-ttl", "forever")).expectStatus().isBadRequest()
            .expectBody().jsonPath("$.error.param").isEqualTo("x-tollgate-cache-ttl");
        Map<String, Object> streamed = new java.util.HashMap<>(question("x"));
        streamed.put("stream", true);
        chat(streamed, Map.of("x-tollgate-cache", "sometimes")).expectStatus().isBadRequest();
        chat(question("x"), Map.of("x-tollgate-cache-ttl", "86401")).expectStatus().isBadRequest()
            .expectBody().jsonPath("$.error.message")
            .isEqualTo("The x-tollgate-cache-ttl header must be a whole number of seconds from 1 to 86400.");
        assertThat(upstream.requestCount()).isZero();
    }

    private static final String USAGE_CHUNK = "data: {\"id\":\"chatcmpl-s\",\"object\":\"chat.completion.chunk\","
            + "\"created\":1764000000,\"model\":\"gpt-4o-mini\",\"choices\":[],\"usage\":{\"prompt_tokens\":5,"
            + "\"completion_tokens\":1,\"total_tokens\":6}}\n\n";

    private static String chunk(String delta, String finishReason) {
        return "data: {\"id\":\"chatcmpl-s\",\"object\":\"chat.completion.chunk\",\"created\":1764000000,"
                + "\"model\":\"gpt-4o-mini\",\"choices\":[{\"index\":0,\"delta\":" + delta + ",\"finish_reason\":"
                + finishReason + "}]}\n\n";
    }

    /** The text a stream's chunks deliver, joined. */
    private static String text(String sse) {
        StringBuilder text = new StringBuilder();
        for (String data : dev.tollgate.testsupport.SseText.dataOf(sse)) {
            if (!data.equals("[DONE]")) {
                JsonNode content = JSON.readTree(data).at("/choices/0/delta/content");
                text.append(content.isString() ? content.stringValue() : "");
            }
        }
        return text.toString();
    }

    private static Map<String, Object> question(String text) {
        return Map.of("model", "openai/gpt-4o-mini", "messages", List.of(Map.of("role", "user", "content", text)),
                "usage", Map.of("include", true));
    }

    private WebTestClient.ResponseSpec chat(Map<String, Object> body, Map<String, String> headers) {
        return client.post().uri("/v1/chat/completions").header("Authorization", "Bearer " + key)
            .headers(h -> headers.forEach(h::set))
            .contentType(MediaType.APPLICATION_JSON).bodyValue(body).exchange();
    }

    private static String generationId(EntityExchangeResult<?> result) {
        return result.getResponseHeaders().getFirst("x-tollgate-generation-id");
    }

}
