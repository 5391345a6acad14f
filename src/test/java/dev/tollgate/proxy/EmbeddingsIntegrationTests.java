package dev.tollgate.proxy;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Base64;
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
import dev.tollgate.testsupport.TestEnvironment;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code POST /v1/embeddings} through Tollgate to OpenAI-compatible providers and Gemini. The OpenAI answer below is
 * shaped after the example in OpenAI's API reference (the spec's own example is abridged, "… 1536 floats total", so
 * not usable as is); Gemini's after its API reference. No public recordings were found for either.
 */
@IntegrationTest
class EmbeddingsIntegrationTests {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private static final String OPENAI_ANSWER = """
            {"object":"list","data":[{"object":"embedding","embedding":[0.0023064255,-0.009327292,-0.0028842222],
             "index":0}],"model":"text-embedding-3-small","usage":{"prompt_tokens":8,"total_tokens":8}}""";

    @Autowired
    WebTestClient client;

    @Autowired
    DatabaseClient db;

    final FakeUpstream upstream = FakeUpstream.shared();

    DashboardUser user;

    String key;

    @BeforeEach
    void setUp() {
        upstream.reset();
        user = DashboardUser.signUp(client);
        key = user.createKey("embeddings");
    }

    @Test
    void anOpenAiEmbeddingIsForwardedAndLogsThePromptTokensOpenAiCounted() {
        upstream.enqueue(FakeReply.json(200, OPENAI_ANSWER));

        EntityExchangeResult<byte[]> result = embed(Map.of("model", "openai/text-embedding-3-small",
                "input", "The food was delicious and the waiter...", "encoding_format", "float",
                "usage", Map.of("include", true)))
            .expectStatus().isOk()
            .expectHeader().contentType(MediaType.APPLICATION_JSON)
            .expectBody().returnResult();

        JsonNode body = JSON.readTree(result.getResponseBody());
        assertThat(body.path("object").stringValue()).isEqualTo("list");
        assertThat(body.path("model").stringValue()).isEqualTo("openai/text-embedding-3-small");
        assertThat(body.at("/data/0/embedding/1").asDouble()).isEqualTo(-0.009327292);
        assertThat(body.at("/usage/prompt_tokens").asInt()).isEqualTo(8);
        assertThat(body.at("/usage/total_tokens").asInt()).isEqualTo(8);

        RecordedRequest sent = upstream.takeRequest();
        assertThat(sent.uri()).isEqualTo("/v1/embeddings");
        assertThat(sent.header("Authorization")).isEqualTo("Bearer " + TestEnvironment.OPENAI_UPSTREAM_KEY);
        assertThat(sent.json().path("model").stringValue()).isEqualTo("text-embedding-3-small");
        assertThat(sent.json().path("encoding_format").stringValue()).isEqualTo("float");
        assertThat(sent.json().has("usage")).as("Tollgate's own fields stay with Tollgate").isFalse();

        String generationId = result.getResponseHeaders().getFirst("x-tollgate-generation-id");
        Map<String, Object> row = new RequestLog(db).row(generationId);
        assertThat(row.get("tenant_id")).isEqualTo(user.tenantId());
        assertThat(row.get("model")).isEqualTo("openai/text-embedding-3-small");
        assertThat(row.get("provider")).isEqualTo("openai");
        assertThat(row.get("status")).isEqualTo(200);
        assertThat(row.get("streamed")).isEqualTo(false);
        assertThat(row.get("prompt_tokens")).isEqualTo(8);
        assertThat(row.get("completion_tokens")).isEqualTo(0);
        assertThat(row.get("usage_source")).isEqualTo("upstream");
        // usage.include asked for the cost: what the call was charged, in USD.
        assertThat(body.at("/usage/cost").decimalValue())
            .isEqualByComparingTo(java.math.BigDecimal.valueOf((Long) row.get("charge_micros"), 6));
    }

    @Test
    void anEmbeddingIsChargedAtTheEmbeddingModelsPrice() {
        upstream.enqueue(FakeReply.json(200, """
                {"object":"list","data":[{"object":"embedding","embedding":[0.5],"index":0}],
                 "model":"text-embedding-3-large","usage":{"prompt_tokens":1000000,"total_tokens":1000000}}"""));

        String generationId = embed(Map.of("model", "openai/text-embedding-3-large", "input", "a long document"))
            .expectStatus().isOk()
            .expectBody().jsonPath("$.usage.cost").doesNotExist()
            .returnResult().getResponseHeaders().getFirst("x-tollgate-generation-id");

        Map<String, Object> row = new RequestLog(db).row(generationId);
        assertThat(row.get("prompt_tokens")).isEqualTo(1_000_000);
        assertThat(row.get("cost_micros")).as("$0.13 per million input tokens").isEqualTo(130_000L);
        assertThat((Long) row.get("charge_micros")).isGreaterThanOrEqualTo(130_000L);
    }

    @Test
    void openAiCompatibleProvidersEmbedToo() {
        upstream.enqueue(FakeReply.json(200, """
                {"id":"embd-1","object":"list","data":[{"object":"embedding","embedding":[0.1,0.2],"index":0},
                 {"object":"embedding","embedding":[0.3,0.4],"index":1}],"model":"mistral-embed",
                 "usage":{"prompt_tokens":6,"total_tokens":6,"completion_tokens":0}}"""));

        embed(Map.of("model", "mistral/mistral-embed", "input", List.of("first", "second")))
            .expectStatus().isOk()
            .expectBody()
            .jsonPath("$.data[1].embedding[1]").isEqualTo(0.4)
            .jsonPath("$.usage.prompt_tokens").isEqualTo(6);

        RecordedRequest sent = upstream.takeRequest();
        assertThat(sent.uri()).isEqualTo("/mistral/v1/embeddings");
        assertThat(sent.json().path("model").stringValue()).isEqualTo("mistral-embed");
    }

    /**
     * A compatible server that reports no usage: the input is counted and billed, and the answer's usage and cost
     * say what was billed, not the zeros the server implied.
     */
    @Test
    void anEmbeddingWithoutTheProvidersUsageShowsWhatWasBilled() {
        upstream.enqueue(FakeReply.json(200, """
                {"object":"list","data":[{"object":"embedding","embedding":[0.1,0.2],"index":0}],
                 "model":"mistral-embed"}"""));

        EntityExchangeResult<byte[]> result = embed(Map.of("model", "mistral/mistral-embed",
                "input", "a sentence of several words to count", "usage", Map.of("include", true)))
            .expectStatus().isOk().expectBody().returnResult();

        JsonNode body = JSON.readTree(result.getResponseBody());
        Map<String, Object> row = new RequestLog(db).row(result.getResponseHeaders()
            .getFirst("x-tollgate-generation-id"));
        assertThat(row.get("usage_source")).isEqualTo("tokenizer");
        assertThat(body.at("/usage/prompt_tokens").asInt()).isPositive().isEqualTo(row.get("prompt_tokens"));
        assertThat((Long) row.get("charge_micros")).isPositive();
        assertThat(body.at("/usage/cost").decimalValue())
            .isEqualByComparingTo(java.math.BigDecimal.valueOf((Long) row.get("charge_micros"), 6));
    }

    @Test
    void geminiEmbedsInOneBatchAndCountsTheTokensWithCountTokens() {
        upstream.enqueue(FakeReply.json(200, """
                {"embeddings":[{"values":[0.1,-0.2,0.3]},{"values":[0.4,0.5,-0.6]}]}"""),
                FakeReply.json(200, "{\"totalTokens\": 11}"));

        EntityExchangeResult<byte[]> result = embed(Map.of("model", "google/gemini-embedding-001",
                "input", List.of("What is the meaning of life?", "How does the brain work?"), "dimensions", 3))
            .expectStatus().isOk().expectBody().returnResult();

        JsonNode body = JSON.readTree(result.getResponseBody());
        assertThat(body.path("model").stringValue()).isEqualTo("google/gemini-embedding-001");
        assertThat(body.path("data")).hasSize(2);
        assertThat(body.at("/data/1/object").stringValue()).isEqualTo("embedding");
        assertThat(body.at("/data/1/index").asInt()).isEqualTo(1);
        assertThat(body.at("/data/1/embedding/2").asDouble()).isEqualTo(-0.6);
        assertThat(body.at("/usage/prompt_tokens").asInt()).isEqualTo(11);

        RecordedRequest batch = upstream.takeRequest();
        assertThat(batch.uri()).isEqualTo("/google/v1beta/models/gemini-embedding-001:batchEmbedContents");
        assertThat(batch.header("x-goog-api-key")).isEqualTo(TestEnvironment.GEMINI_UPSTREAM_KEY);
        assertThat(batch.json().at("/requests/0/model").stringValue()).isEqualTo("models/gemini-embedding-001");
        assertThat(batch.json().at("/requests/1/content/parts/0/text").stringValue())
            .isEqualTo("How does the brain work?");
        assertThat(batch.json().at("/requests/1/outputDimensionality").asInt()).isEqualTo(3);
        RecordedRequest count = upstream.takeRequest();
        assertThat(count.uri()).isEqualTo("/google/v1beta/models/gemini-embedding-001:countTokens");
        assertThat(count.json().path("contents")).hasSize(2);

        Map<String, Object> row = new RequestLog(db).row(result.getResponseHeaders()
            .getFirst("x-tollgate-generation-id"));
        assertThat(row.get("provider")).isEqualTo("google");
        assertThat(row.get("prompt_tokens")).isEqualTo(11);
        assertThat(row.get("completion_tokens")).isEqualTo(0);
    }

    @Test
    void geminiUsageInTheAnswerIsUsedWithoutCountingAgain() {
        upstream.enqueue(FakeReply.json(200, """
                {"embeddings":[{"values":[0.1,0.2]}],"usageMetadata":{"promptTokenCount":5,"totalTokenCount":5}}"""));

        embed(Map.of("model", "google/gemini-embedding-001", "input", "hello there"))
            .expectStatus().isOk()
            .expectBody().jsonPath("$.usage.prompt_tokens").isEqualTo(5);

        upstream.takeRequest();
        assertThat(upstream.requestCount()).isZero();
    }

    @Test
    void whenGeminiCannotCountTheTokensTheyAreEstimatedAndTheAnswerStillArrives() {
        upstream.enqueue(FakeReply.json(200, "{\"embeddings\":[{\"values\":[0.1,0.2]}]}"),
                FakeReply.json(404, """
                        {"error":{"code":404,"message":"models/gemini-embedding-001 is not found for countTokens.",
                         "status":"NOT_FOUND"}}"""));

        embed(Map.of("model", "google/gemini-embedding-001", "input", "sixteen chars ok"))
            .expectStatus().isOk()
            .expectBody().jsonPath("$.usage.prompt_tokens").isEqualTo(4);
    }

    @Test
    void geminiVectorsAreEncodedAsBase64WhenAsked() {
        upstream.enqueue(FakeReply.json(200, "{\"embeddings\":[{\"values\":[0.5,-1.25,3.0]}]}"),
                FakeReply.json(200, "{\"totalTokens\": 2}"));

        JsonNode body = JSON.readTree(embed(Map.of("model", "google/gemini-embedding-001", "input", "hi",
                "encoding_format", "base64")).expectStatus().isOk().expectBody().returnResult().getResponseBody());

        ByteBuffer floats = ByteBuffer.wrap(Base64.getDecoder().decode(body.at("/data/0/embedding").stringValue()))
            .order(ByteOrder.LITTLE_ENDIAN);
        assertThat(floats.remaining()).isEqualTo(12);
        assertThat(List.of(floats.getFloat(), floats.getFloat(), floats.getFloat())).containsExactly(0.5f, -1.25f, 3.0f);
    }

    @Test
    void moreThanAHundredTextsGoToGeminiInBatchesInOrder() {
        StringBuilder first = new StringBuilder("{\"embeddings\":[");
        for (int i = 0; i < 100; i++) {
            first.append(i == 0 ? "" : ",").append("{\"values\":[").append(i).append("]}");
        }
        upstream.enqueue(FakeReply.json(200, first.append("]}").toString()),
                FakeReply.json(200, "{\"embeddings\":[{\"values\":[100]},{\"values\":[101]}]}"),
                FakeReply.json(200, "{\"totalTokens\": 102}"));
        List<String> texts = java.util.stream.IntStream.range(0, 102).mapToObj(i -> "text " + i).toList();

        JsonNode body = JSON.readTree(embed(Map.of("model", "google/gemini-embedding-001", "input", texts))
            .expectStatus().isOk().expectBody().returnResult().getResponseBody());

        assertThat(body.path("data")).hasSize(102);
        assertThat(body.at("/data/101/index").asInt()).isEqualTo(101);
        assertThat(body.at("/data/101/embedding/0").asInt()).isEqualTo(101);
        assertThat(upstream.takeRequest().json().path("requests")).hasSize(100);
        assertThat(upstream.takeRequest().json().at("/requests/1/content/parts/0/text").stringValue())
            .isEqualTo("text 101");
    }

    @Test
    void tokenIdsCannotGoToGemini() {
        embed(Map.of("model", "google/gemini-embedding-001", "input", List.of(List.of(1, 2, 3))))
            .expectStatus().isBadRequest()
            .expectBody().jsonPath("$.error.param").isEqualTo("input");
        assertThat(upstream.requestCount()).isZero();
    }

    @Test
    void aChatModelIsRefusedByEmbeddings() {
        String generationId = embed(Map.of("model", "openai/gpt-4o-mini", "input", "hi"))
            .expectStatus().isBadRequest()
            .expectBody()
            .jsonPath("$.error.code").isEqualTo("model_not_supported")
            .jsonPath("$.error.param").isEqualTo("model")
            .returnResult().getResponseHeaders().getFirst("x-tollgate-generation-id");

        assertThat(upstream.requestCount()).isZero();
        assertThat(new RequestLog(db).row(generationId).get("status")).isEqualTo(400);
    }

    @Test
    void anEmbeddingModelIsRefusedByChatCompletions() {
        client.post().uri("/v1/chat/completions").header("Authorization", "Bearer " + key)
            .contentType(MediaType.APPLICATION_JSON)
            .bodyValue(Map.of("model", "openai/text-embedding-3-small",
                    "messages", List.of(Map.of("role", "user", "content", "hi"))))
            .exchange()
            .expectStatus().isBadRequest()
            .expectBody().jsonPath("$.error.code").isEqualTo("model_not_supported");
        assertThat(upstream.requestCount()).isZero();
    }

    @Test
    void anUnknownModelIs404() {
        embed(Map.of("model", "openai/text-embedding-9", "input", "hi"))
            .expectStatus().isNotFound()
            .expectBody().jsonPath("$.error.code").isEqualTo("model_not_found");
    }

    @Test
    void invalidRequestsAre400NamingTheField() {
        embed(Map.of("input", "hi")).expectStatus().isBadRequest()
            .expectBody().jsonPath("$.error.param").isEqualTo("model");
        embed(Map.of("model", "openai/text-embedding-3-small")).expectStatus().isBadRequest()
            .expectBody().jsonPath("$.error.param").isEqualTo("input");
        embed(Map.of("model", "openai/text-embedding-3-small", "input", "")).expectStatus().isBadRequest()
            .expectBody().jsonPath("$.error.param").isEqualTo("input");
        embed(Map.of("model", "openai/text-embedding-3-small", "input", List.of("a", 1))).expectStatus().isBadRequest()
            .expectBody().jsonPath("$.error.param").isEqualTo("input");
        embed(Map.of("model", "openai/text-embedding-3-small", "input", "a", "encoding_format", "int8"))
            .expectStatus().isBadRequest()
            .expectBody().jsonPath("$.error.param").isEqualTo("encoding_format");
        embed(Map.of("model", "openai/text-embedding-3-small", "input", "a", "dimensions", 0))
            .expectStatus().isBadRequest()
            .expectBody().jsonPath("$.error.param").isEqualTo("dimensions");
        embed(Map.of("model", "openai/text-embedding-3-small", "input", "a",
                "dimensions", new java.math.BigInteger("99999999999999999999")))
            .expectStatus().isBadRequest()
            .expectBody().jsonPath("$.error.param").isEqualTo("dimensions");
        assertThat(upstream.requestCount()).isZero();
    }

    @Test
    void noKeyIs401() {
        client.post().uri("/v1/embeddings").contentType(MediaType.APPLICATION_JSON)
            .bodyValue(Map.of("model", "openai/text-embedding-3-small", "input", "hi"))
            .exchange()
            .expectStatus().isUnauthorized()
            .expectHeader().value(ChatCompletionsHandler.GENERATION_HEADER, id -> assertThat(id).startsWith("gen-"))
            .expectBody().jsonPath("$.error.code").isEqualTo("invalid_api_key");
    }

    @Test
    void aProviderErrorIsMappedAsForChat() {
        upstream.enqueue(FakeReply.json(429, """
                {"error":{"message":"Rate limit reached","type":"requests","param":null,"code":"rate_limit_exceeded"}}""")
            .withHeader("retry-after", "3"));

        embed(Map.of("model", "openai/text-embedding-3-large", "input", "hi"))
            .expectStatus().isEqualTo(429)
            .expectHeader().valueEquals("Retry-After", "3");
    }

    @Test
    void aKeysRateLimitAppliesToEmbeddingsToo() {
        String limited = user.createKeyJson(Map.of("name", "limited", "rateLimit", Map.of("requestsPerMinute", 1)))
            .path("key").stringValue();
        upstream.enqueue(FakeReply.json(200, OPENAI_ANSWER));
        Map<String, Object> request = Map.of("model", "openai/text-embedding-3-small", "input", "hi");

        client.post().uri("/v1/embeddings").header("Authorization", "Bearer " + limited)
            .contentType(MediaType.APPLICATION_JSON).bodyValue(request).exchange()
            .expectStatus().isOk()
            .expectHeader().valueEquals("x-ratelimit-limit-requests", "1");
        client.post().uri("/v1/embeddings").header("Authorization", "Bearer " + limited)
            .contentType(MediaType.APPLICATION_JSON).bodyValue(request).exchange()
            .expectStatus().isEqualTo(429)
            .expectHeader().exists("Retry-After")
            .expectBody().jsonPath("$.error.code").isEqualTo("rate_limit_exceeded");
        assertThat(upstream.requestCount()).isEqualTo(1);
    }

    @Test
    void theSamePathAnswersUnderApiV1() {
        upstream.enqueue(FakeReply.json(200, OPENAI_ANSWER));

        client.post().uri("/api/v1/embeddings").header("Authorization", "Bearer " + key)
            .contentType(MediaType.APPLICATION_JSON)
            .bodyValue(Map.of("model", "openai/text-embedding-3-small", "input", "hi"))
            .exchange()
            .expectStatus().isOk()
            .expectBody().jsonPath("$.usage.prompt_tokens").isEqualTo(8);
    }

    private WebTestClient.ResponseSpec embed(Object body) {
        return client.post().uri("/v1/embeddings").header("Authorization", "Bearer " + key)
            .contentType(MediaType.APPLICATION_JSON).bodyValue(body).exchange();
    }

}
