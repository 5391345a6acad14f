package dev.tollgate.provider.openai;

import java.math.BigDecimal;
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
import dev.tollgate.testsupport.RequestLog;
import dev.tollgate.testsupport.SseText;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * One adapter serves the OpenAI-compatible family; their differences are declared in configuration. Mistral is
 * configured with {@code stream-options: false} (it rejects {@code stream_options}) and sends its usage on the last
 * content chunk instead, in the shape of the Mistral stream in vercel/ai's provider tests
 * ({@code packages/mistral/src/mistral-chat-language-model.test.ts}).
 */
@IntegrationTest
class OpenAiCompatibleIntegrationTests {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private static final String HEAD = "data:  {\"id\":\"6e2cd91750904b7092f49bdca9083de1\",\"object\":\"chat.completion.chunk\","
            + "\"created\":1711097175,\"model\":\"mistral-small-latest\",\"choices\":[{\"index\":0,";

    @Autowired
    WebTestClient client;

    @Autowired
    DatabaseClient db;

    final FakeUpstream upstream = FakeUpstream.shared();

    String key;

    @BeforeEach
    void setUp() {
        upstream.reset();
        key = DashboardUser.signUp(client).createKey("compatible");
    }

    @Test
    void aServerThatRejectsStreamOptionsNeverGetsThemAndIsBilledFromTheUsageItSendsAnyway() {
        upstream.enqueue(FakeReply.sse(HEAD + "\"delta\":{\"role\":\"assistant\",\"content\":\"\"},\"finish_reason\":null,"
                + "\"logprobs\":null}]}\n\n"
                + HEAD + "\"delta\":{\"role\":\"assistant\",\"content\":\"Hello\"},\"finish_reason\":null,"
                + "\"logprobs\":null}]}\n\n"
                + HEAD + "\"delta\":{\"content\":\"\"},\"finish_reason\":\"stop\",\"logprobs\":null}],"
                + "\"usage\":{\"prompt_tokens\":4,\"total_tokens\":36,\"completion_tokens\":32}}\n\n"
                + "data: [DONE]\n\n"));

        EntityExchangeResult<String> result = chat(Map.of("model", "mistral/mistral-small-latest", "stream", true,
                "stream_options", Map.of("include_usage", true),
                "messages", List.of(Map.of("role", "user", "content", "Hello"))))
            .expectStatus().isOk().expectBody(String.class).returnResult();

        assertThat(upstream.takeRequest().json().has("stream_options")).isFalse();
        List<String> data = SseText.dataOf(result.getResponseBody());
        assertThat(data).hasSize(5).last().isEqualTo("[DONE]");
        assertThat(data.subList(0, 3)).as("usage is split off the content chunk").allSatisfy(chunk ->
                assertThat(JSON.readTree(chunk).has("usage")).isFalse());
        assertThat(JSON.readTree(data.get(2)).at("/choices/0/finish_reason").stringValue()).isEqualTo("stop");
        JsonNode usageChunk = JSON.readTree(data.get(3));
        assertThat(usageChunk.path("choices").isEmpty()).isTrue();
        assertThat(usageChunk.at("/usage/prompt_tokens").asInt()).isEqualTo(4);
        assertThat(usageChunk.at("/usage/completion_tokens").asInt()).isEqualTo(32);
        Map<String, Object> row = new RequestLog(db).row(generationId(result));
        assertThat(row.get("provider")).isEqualTo("mistral");
        assertThat(row.get("prompt_tokens")).isEqualTo(4);
        assertThat(row.get("completion_tokens")).isEqualTo(32);
        assertThat(row.get("usage_source")).isEqualTo("upstream");
    }

    @Test
    void aStreamWithNoUsageAtAllStillCompletesAndIsLogged() {
        upstream.enqueue(FakeReply.sse(HEAD + "\"delta\":{\"role\":\"assistant\",\"content\":\"Hello\"},"
                + "\"finish_reason\":null,\"logprobs\":null}]}\n\n"
                + HEAD + "\"delta\":{\"content\":\"\"},\"finish_reason\":\"stop\",\"logprobs\":null}]}\n\n"
                + "data: [DONE]\n\n"));

        EntityExchangeResult<String> result = chat(Map.of("model", "mistral/mistral-small-latest", "stream", true,
                "messages", List.of(Map.of("role", "user", "content", "Hello"))))
            .expectStatus().isOk().expectBody(String.class).returnResult();

        assertThat(SseText.dataOf(result.getResponseBody())).hasSize(3).last().isEqualTo("[DONE]");
        Map<String, Object> row = new RequestLog(db).row(generationId(result));
        assertThat(row.get("status")).isEqualTo(200);
        assertThat(row.get("finish_reason")).isEqualTo("stop");
        // Nothing reported: the row says so (or, once metering counts delivered text, says it counted).
        assertThat(row.get("usage_source")).isIn("none", "tokenizer");
    }

    /** What the client is shown is what it is billed, when the server reports no usage and Tollgate counts. */
    @Test
    void aServerThatReportsNoUsageShowsTheCountedUsageAndItsCost() {
        upstream.enqueue(FakeReply.json(200, """
                {"id":"6e2cd91750904b7092f49bdca9083de1","object":"chat.completion","created":1711097175,
                 "model":"mistral-small-latest","choices":[{"index":0,"message":{"role":"assistant",
                 "content":"Hello there, how are you today?"},"finish_reason":"stop"}]}"""));

        EntityExchangeResult<byte[]> whole = chat(Map.of("model", "mistral/mistral-small-latest",
                "usage", Map.of("include", true), "messages", List.of(Map.of("role", "user", "content", "Hello"))))
            .expectStatus().isOk().expectBody().returnResult();

        JsonNode shown = JSON.readTree(whole.getResponseBody()).path("usage");
        assertShownAsBilled(shown, new RequestLog(db).row(generationId(whole)));

        upstream.enqueue(FakeReply.sse(HEAD + "\"delta\":{\"role\":\"assistant\",\"content\":\"Hello there\"},"
                + "\"finish_reason\":null,\"logprobs\":null}]}\n\n"
                + HEAD + "\"delta\":{\"content\":\"\"},\"finish_reason\":\"stop\",\"logprobs\":null}]}\n\n"
                + "data: [DONE]\n\n"));

        EntityExchangeResult<String> streamed = chat(Map.of("model", "mistral/mistral-small-latest", "stream", true,
                "stream_options", Map.of("include_usage", true), "usage", Map.of("include", true),
                "messages", List.of(Map.of("role", "user", "content", "Hello"))))
            .expectStatus().isOk().expectBody(String.class).returnResult();

        List<String> data = SseText.dataOf(streamed.getResponseBody());
        assertThat(data).hasSize(4).last().isEqualTo("[DONE]");
        assertShownAsBilled(JSON.readTree(data.get(2)).path("usage"), new RequestLog(db).row(generationId(streamed)));
    }

    private static void assertShownAsBilled(JsonNode shown, Map<String, Object> row) {
        assertThat(row.get("usage_source")).isEqualTo("tokenizer");
        assertThat((Integer) row.get("completion_tokens")).isPositive();
        assertThat(shown.path("prompt_tokens").asInt()).isEqualTo(row.get("prompt_tokens"));
        assertThat(shown.path("completion_tokens").asInt()).isEqualTo(row.get("completion_tokens"));
        assertThat(shown.path("cost").decimalValue())
            .isEqualByComparingTo(BigDecimal.valueOf((Long) row.get("charge_micros"), 6));
    }

    /** Mistral refuses max_completion_tokens (422 extra_forbidden), which Anthropic's max_tokens is translated to. */
    @Test
    void anAnthropicClientsCapReachesAServerWithoutTheNewerNameAsMaxTokens() {
        upstream.enqueue(FakeReply.json(200, """
                {"id":"6e2cd91750904b7092f49bdca9083de1","object":"chat.completion","created":1711097175,
                 "model":"mistral-small-latest","choices":[{"index":0,"message":{"role":"assistant","content":"Hi"},
                 "finish_reason":"stop"}],"usage":{"prompt_tokens":4,"completion_tokens":1,"total_tokens":5}}"""));

        client.post().uri("/v1/messages").header("x-api-key", key).contentType(MediaType.APPLICATION_JSON)
            .bodyValue(Map.of("model", "mistral/mistral-small-latest", "max_tokens", 50,
                    "messages", List.of(Map.of("role", "user", "content", "Hello"))))
            .exchange()
            .expectStatus().isOk()
            .expectBody().jsonPath("$.content[0].text").isEqualTo("Hi");

        JsonNode sent = upstream.takeRequest().json();
        assertThat(sent.path("max_tokens").asInt()).isEqualTo(50);
        assertThat(sent.has("max_completion_tokens")).isFalse();
    }

    /**
     * The catalog knows no maximum output for Mistral's models, so the credit hold assumes
     * {@code tollgate.credits.default-max-tokens}: the provider gets that cap too, else its answer could cost more than
     * was held.
     */
    @Test
    void withoutACapFromTheRequestOrTheCatalogTheProviderGetsTheOneTheHoldAssumed() {
        chat(Map.of("model", "mistral/mistral-small-latest", "messages", List.of(Map.of("role", "user",
                "content", "Hello")))).expectStatus().isOk();
        JsonNode uncapped = upstream.takeRequest().json();
        assertThat(uncapped.path("max_tokens").asInt()).isEqualTo(4096);
        assertThat(uncapped.has("max_completion_tokens")).isFalse();

        chat(Map.of("model", "mistral/mistral-small-latest", "max_tokens", 7, "messages", List.of(Map.of("role", "user",
                "content", "Hello")))).expectStatus().isOk();
        assertThat(upstream.takeRequest().json().path("max_tokens").asInt()).isEqualTo(7);

        // gpt-4o-mini's maximum is in the catalog: the provider applies its own, the one the hold assumed.
        chat(Map.of("model", "openai/gpt-4o-mini", "messages", List.of(Map.of("role", "user", "content", "Hello"))))
            .expectStatus().isOk();
        JsonNode catalogCapped = upstream.takeRequest().json();
        assertThat(catalogCapped.has("max_tokens")).isFalse();
        assertThat(catalogCapped.has("max_completion_tokens")).isFalse();
    }

    private WebTestClient.ResponseSpec chat(Object body) {
        return client.post().uri("/v1/chat/completions").header("Authorization", "Bearer " + key)
            .contentType(MediaType.APPLICATION_JSON).bodyValue(body).exchange();
    }

    private static String generationId(EntityExchangeResult<?> result) {
        return result.getResponseHeaders().getFirst("x-tollgate-generation-id");
    }

}
