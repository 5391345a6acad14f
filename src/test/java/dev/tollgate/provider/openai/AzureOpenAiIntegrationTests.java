package dev.tollgate.provider.openai;

import java.time.Duration;
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
import dev.tollgate.testsupport.IntegrationTest;
import dev.tollgate.testsupport.RecordedRequest;
import dev.tollgate.testsupport.RequestLog;
import dev.tollgate.testsupport.SseText;
import dev.tollgate.testsupport.TestEnvironment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Provider type {@code azure-openai} through Tollgate to a fake Azure resource. Azure's answers below are shaped
 * after Azure OpenAI's REST reference (the OpenAI body plus prompt- and content-filter results); no public recording
 * was found. The catalog rows are the operator's: an Azure model's upstream id is its deployment name.
 */
@IntegrationTest
class AzureOpenAiIntegrationTests {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private static final String FILTER_RESULTS = "{\"hate\":{\"filtered\":false,\"severity\":\"safe\"},"
            + "\"self_harm\":{\"filtered\":false,\"severity\":\"safe\"},"
            + "\"sexual\":{\"filtered\":false,\"severity\":\"safe\"},"
            + "\"violence\":{\"filtered\":false,\"severity\":\"safe\"}}";

    @Autowired
    WebTestClient client;

    @Autowired
    DatabaseClient db;

    static final String TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736";

    static final String TRACEPARENT = "00-" + TRACE_ID + "-00f067aa0ba902b7-01";

    final FakeUpstream upstream = FakeUpstream.shared();

    String key;

    @BeforeEach
    void setUp() {
        upstream.reset();
        key = DashboardUser.signUp(client).createKey("azure");
        db.sql("""
                insert into model (id, provider, upstream_id, name, context_length, max_output_tokens, kind) values
                    ('azure/gpt-4o-mini', 'azure', 'gpt4o-mini-eu', 'Azure: GPT-4o mini', 128000, 16384, 'chat'),
                    ('azure/text-embedding-3-small', 'azure', 'embed-small', 'Azure: Embedding 3 Small', 8191,
                     null, 'embedding'),
                    ('azure/gpt-4o-mini-legacy', 'azure-legacy', 'gpt4o-mini-old', 'Azure: GPT-4o mini (2024-06-01)',
                     128000, 16384, 'chat')
                on conflict (id) do nothing""").then().block(Duration.ofSeconds(10));
        db.sql("""
                insert into model_price (model_id, input_per_mtok_micros, output_per_mtok_micros, effective_from)
                values ('azure/gpt-4o-mini', 150000, 600000, '2025-01-01T00:00:00Z'),
                       ('azure/gpt-4o-mini-legacy', 150000, 600000, '2025-01-01T00:00:00Z'),
                       ('azure/text-embedding-3-small', 20000, 0, '2025-01-01T00:00:00Z')
                on conflict (model_id, effective_from) do nothing""").then().block(Duration.ofSeconds(10));
        // The catalog and prices are re-read every second in tests: wait until both models are served and priced.
        await().atMost(Duration.ofSeconds(10)).until(() -> JSON.readTree(client.get().uri("/v1/models")
            .header("Authorization", "Bearer " + key).exchange().expectBody().returnResult().getResponseBody())
            .path("data").valueStream()
            .filter(model -> model.path("id").stringValue().startsWith("azure/") && model.has("pricing"))
            .count() == 3);
    }

    /**
     * A resource pinned to an api-version before 2024-09-01-preview knows only {@code max_tokens}: its
     * {@code max-completion-tokens: false} was ignored, and a /v1/messages call (whose max_tokens becomes
     * max_completion_tokens) was refused by it.
     */
    @Test
    void aResourceOnAnOlderApiVersionGetsTheCapAsMaxTokens() {
        client.post().uri("/v1/messages").header("x-api-key", key).contentType(MediaType.APPLICATION_JSON)
            .bodyValue(Map.of("model", "azure/gpt-4o-mini-legacy", "max_tokens", 100,
                    "messages", List.of(Map.of("role", "user", "content", "Hi"))))
            .exchange()
            .expectStatus().isOk();

        RecordedRequest sent = upstream.takeRequest();
        assertThat(sent.uri()).isEqualTo("/azure/openai/deployments/gpt4o-mini-old/chat/completions"
                + "?api-version=2024-06-01");
        assertThat(sent.json().path("max_tokens").asInt()).isEqualTo(100);
        assertThat(sent.json().has("max_completion_tokens")).isFalse();
    }

    @Test
    void aCallGoesToTheDeploymentUrlWithTheApiKeyHeader() {
        upstream.enqueue(FakeReply.json(200, """
                {"choices":[{"content_filter_results":%s,"finish_reason":"stop","index":0,"logprobs":null,
                 "message":{"content":"Hello! How can I help?","refusal":null,"role":"assistant"}}],
                 "created":1727346171,"id":"chatcmpl-AzureA1","model":"gpt-4o-mini-2024-07-18",
                 "object":"chat.completion","prompt_filter_results":[{"prompt_index":0,"content_filter_results":%s}],
                 "system_fingerprint":"fp_878413d04d",
                 "usage":{"completion_tokens":7,"completion_tokens_details":{"reasoning_tokens":0},
                 "prompt_tokens":9,"prompt_tokens_details":{"cached_tokens":0},"total_tokens":16}}"""
            .formatted(FILTER_RESULTS, FILTER_RESULTS)));

        EntityExchangeResult<byte[]> result = chat(request(false)).expectStatus().isOk().expectBody().returnResult();

        JsonNode body = JSON.readTree(result.getResponseBody());
        assertThat(body.path("model").stringValue()).isEqualTo("azure/gpt-4o-mini");
        assertThat(body.at("/choices/0/message/content").stringValue()).isEqualTo("Hello! How can I help?");
        RecordedRequest sent = upstream.takeRequest();
        assertThat(sent.uri()).isEqualTo("/azure/openai/deployments/gpt4o-mini-eu/chat/completions"
                + "?api-version=" + AzureOpenAiConfiguration.DEFAULT_API_VERSION);
        assertThat(sent.header("api-key")).isEqualTo(TestEnvironment.AZURE_UPSTREAM_KEY);
        assertThat(sent.header("Authorization")).isNull();
        assertThat(sent.header("traceparent")).as("the trace goes on (the attempt reached the HTTP layer)")
            .startsWith("00-" + TRACE_ID + "-");
        Map<String, Object> row = new RequestLog(db).row(result.getResponseHeaders()
            .getFirst("x-tollgate-generation-id"));
        assertThat(row.get("provider")).isEqualTo("azure");
        assertThat(row.get("prompt_tokens")).isEqualTo(9);
        assertThat(row.get("completion_tokens")).isEqualTo(7);
    }

    @Test
    void aStreamSkipsAzuresPromptFilterChunkAndIsBilledFromItsUsageChunk() {
        String head = "data: {\"choices\":[{\"content_filter_results\":{},\"delta\":";
        String tail = ",\"index\":0,\"logprobs\":null}],\"created\":1727346171,\"id\":\"chatcmpl-AzureS1\","
                + "\"model\":\"gpt-4o-mini-2024-07-18\",\"object\":\"chat.completion.chunk\","
                + "\"system_fingerprint\":\"fp_878413d04d\"}\n\n";
        upstream.enqueue(FakeReply.sse("data: {\"choices\":[],\"created\":0,\"id\":\"\",\"model\":\"\",\"object\":\"\","
                + "\"prompt_filter_results\":[{\"prompt_index\":0,\"content_filter_results\":" + FILTER_RESULTS
                + "}]}\n\n"
                + head + "{\"content\":\"\",\"refusal\":null,\"role\":\"assistant\"},\"finish_reason\":null" + tail
                + head + "{\"content\":\"Hi\"},\"finish_reason\":null" + tail
                + head + "{},\"finish_reason\":\"stop\"" + tail
                + "data: {\"choices\":[],\"created\":1727346171,\"id\":\"chatcmpl-AzureS1\",\"model\":"
                + "\"gpt-4o-mini-2024-07-18\",\"object\":\"chat.completion.chunk\",\"usage\":{\"completion_tokens\":1,"
                + "\"prompt_tokens\":9,\"total_tokens\":10}}\n\n"
                + "data: [DONE]\n\n"));

        EntityExchangeResult<String> result = chat(request(true)).expectStatus().isOk()
            .expectBody(String.class).returnResult();

        List<String> data = SseText.dataOf(result.getResponseBody());
        assertThat(data).hasSize(4).last().isEqualTo("[DONE]");
        assertThat(data.subList(0, 3)).allSatisfy(chunk -> assertThat(JSON.readTree(chunk).path("choices")).hasSize(1));
        assertThat(JSON.readTree(data.get(1)).at("/choices/0/delta/content").stringValue()).isEqualTo("Hi");
        RecordedRequest sent = upstream.takeRequest();
        assertThat(sent.json().at("/stream_options/include_usage").asBoolean()).isTrue();
        assertThat(sent.header("traceparent")).as("the trace goes on (the attempt reached the HTTP layer)")
            .startsWith("00-" + TRACE_ID + "-");
        Map<String, Object> row = new RequestLog(db).row(result.getResponseHeaders()
            .getFirst("x-tollgate-generation-id"));
        assertThat(row.get("prompt_tokens")).isEqualTo(9);
        assertThat(row.get("completion_tokens")).isEqualTo(1);
    }

    @Test
    void aPromptAzuresFilterStopsIsA400ContentFilterError() {
        upstream.enqueue(FakeReply.json(400, """
                {"error":{"message":"The response was filtered due to the prompt triggering Azure OpenAI's content management policy.",
                 "type":null,"param":"prompt","code":"content_filter","status":400,
                 "innererror":{"code":"ResponsibleAIPolicyViolation","content_filter_result":%s}}}"""
            .formatted(FILTER_RESULTS)));

        chat(request(false)).expectStatus().isBadRequest()
            .expectBody()
            .jsonPath("$.error.code").isEqualTo("content_filter")
            .jsonPath("$.error.message").value(message -> assertThat((String) message)
                .contains("content management policy"));
    }

    @Test
    void azuresRateLimitIs429WithItsRetryAfter() {
        upstream.enqueueFailure(FakeReply.json(429, """
                {"error":{"code":"429","message":"Requests to the ChatCompletions_Create Operation under Azure OpenAI API version 2024-10-21 have exceeded token rate limit of your current OpenAI S0 pricing tier."}}""")
            .withHeader("retry-after-ms", "4000"));

        chat(request(false)).expectStatus().isEqualTo(429).expectHeader().valueEquals("Retry-After", "4");
    }

    @Test
    void aRejectedKeyIs502ForTheOperatorToFix() {
        upstream.enqueue(FakeReply.json(401, """
                {"error":{"code":"401","message":"Access denied due to invalid subscription key or wrong API endpoint. Make sure to provide a valid key for an active subscription and use a correct regional API endpoint for your resource."}}"""));

        chat(request(false)).expectStatus().isEqualTo(502)
            .expectBody().jsonPath("$.error.code").isEqualTo("upstream_auth_failed");
    }

    @Test
    void embeddingsGoToTheDeploymentsEmbeddingsUrl() {
        upstream.enqueue(FakeReply.json(200, """
                {"object":"list","data":[{"object":"embedding","index":0,"embedding":[0.25,-0.5]}],
                 "model":"text-embedding-3-small","usage":{"prompt_tokens":3,"total_tokens":3}}"""));

        client.post().uri("/v1/embeddings").header("Authorization", "Bearer " + key)
            .contentType(MediaType.APPLICATION_JSON)
            .bodyValue(Map.of("model", "azure/text-embedding-3-small", "input", "hello"))
            .exchange()
            .expectStatus().isOk()
            .expectBody()
            .jsonPath("$.model").isEqualTo("azure/text-embedding-3-small")
            .jsonPath("$.usage.prompt_tokens").isEqualTo(3);

        RecordedRequest sent = upstream.takeRequest();
        assertThat(sent.uri()).isEqualTo("/azure/openai/deployments/embed-small/embeddings?api-version="
                + AzureOpenAiConfiguration.DEFAULT_API_VERSION);
        assertThat(sent.header("api-key")).isEqualTo(TestEnvironment.AZURE_UPSTREAM_KEY);
    }

    private WebTestClient.ResponseSpec chat(Object body) {
        return client.post().uri("/v1/chat/completions").header("Authorization", "Bearer " + key)
            .header("traceparent", TRACEPARENT)
            .contentType(MediaType.APPLICATION_JSON).bodyValue(body).exchange();
    }

    private static Map<String, Object> request(boolean stream) {
        return Map.of("model", "azure/gpt-4o-mini", "stream", stream,
                "messages", List.of(Map.of("role", "user", "content", "Hi")));
    }

}
