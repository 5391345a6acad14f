package dev.tollgate.provider.gemini;

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

/** OpenAI-format calls to {@code google/*} models, through Tollgate, to a fake Gemini replaying recorded answers. */
@IntegrationTest
class GeminiIntegrationTests {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    @Autowired
    WebTestClient client;

    @Autowired
    DatabaseClient db;

    final FakeUpstream upstream = FakeUpstream.shared();

    String key;

    @BeforeEach
    void setUp() {
        upstream.reset();
        key = DashboardUser.signUp(client).createKey("gemini");
    }

    @Test
    void aPlainCallReachesGenerateContentAndComesBackInOpenAisShape() {
        upstream.enqueue(FakeReply.fixture(200, "gemini/generate-content.json"));

        EntityExchangeResult<byte[]> result = chat(request(false, "Where is Google's headquarters?"))
            .expectStatus().isOk().expectBody().returnResult();

        JsonNode body = JSON.readTree(result.getResponseBody());
        String generationId = generationId(result);
        assertThat(body.path("id").stringValue()).isEqualTo(generationId);
        assertThat(body.path("model").stringValue()).isEqualTo("google/gemini-2.5-flash");
        assertThat(body.at("/choices/0/message/content").stringValue()).contains("Mountain View, California");
        assertThat(body.at("/choices/0/finish_reason").stringValue()).isEqualTo("stop");
        assertThat(body.at("/usage/prompt_tokens").asInt()).isEqualTo(7);
        assertThat(body.at("/usage/completion_tokens").asInt()).isEqualTo(22);
        assertThat(body.at("/usage/total_tokens").asInt()).isEqualTo(29);

        RecordedRequest sent = upstream.takeRequest();
        assertThat(sent.uri()).isEqualTo("/google/v1beta/models/gemini-2.5-flash:generateContent");
        assertThat(sent.header("x-goog-api-key")).isEqualTo(TestEnvironment.GEMINI_UPSTREAM_KEY);
        assertThat(sent.header("Authorization")).isNull();
        assertThat(sent.json().at("/contents/0/role").stringValue()).isEqualTo("user");
        assertThat(sent.json().at("/contents/0/parts/0/text").stringValue())
            .isEqualTo("Where is Google's headquarters?");

        Map<String, Object> row = new RequestLog(db).row(generationId);
        assertThat(row.get("provider")).isEqualTo("google");
        assertThat(row.get("model")).isEqualTo("google/gemini-2.5-flash");
        assertThat(row.get("status")).isEqualTo(200);
        assertThat(row.get("prompt_tokens")).isEqualTo(7);
        assertThat(row.get("completion_tokens")).isEqualTo(22);
        assertThat(row.get("finish_reason")).isEqualTo("stop");
        assertThat(row.get("usage_source")).isEqualTo("upstream");
    }

    @Test
    void aMultiTurnConversationWithASystemPromptBecomesGeminiTurns() {
        upstream.enqueue(FakeReply.fixture(200, "gemini/generate-content.json"));

        chat(Map.of("model", "google/gemini-2.5-pro", "temperature", 0.3, "max_tokens", 256,
                "messages", List.of(Map.of("role", "system", "content", "You answer in one sentence."),
                        Map.of("role", "user", "content", "Hi"),
                        Map.of("role", "assistant", "content", "Hello! How can I help?"),
                        Map.of("role", "user", "content", "Where is Google's headquarters?"))))
            .expectStatus().isOk();

        RecordedRequest sent = upstream.takeRequest();
        assertThat(sent.uri()).isEqualTo("/google/v1beta/models/gemini-2.5-pro:generateContent");
        JsonNode body = sent.json();
        assertThat(body.at("/systemInstruction/parts/0/text").stringValue()).isEqualTo("You answer in one sentence.");
        assertThat(body.path("contents").valueStream().map(content -> content.path("role").stringValue()))
            .containsExactly("user", "model", "user");
        assertThat(body.at("/generationConfig/temperature").asDouble()).isEqualTo(0.3);
        assertThat(body.at("/generationConfig/maxOutputTokens").asInt()).isEqualTo(256);
    }

    @Test
    void aToolCallGoesOutAndItsResultComesBackToGemini() {
        // Function-call reply shaped after Gemini's API reference; no public recording was found.
        upstream.enqueue(FakeReply.json(200, """
                {"candidates":[{"content":{"role":"model","parts":[{"functionCall":{"name":"get_weather",
                 "args":{"city":"Paris"}},"thoughtSignature":"CtIBAdHtim9"}]},"finishReason":"STOP","index":0}],
                 "usageMetadata":{"promptTokenCount":52,"candidatesTokenCount":7,"thoughtsTokenCount":31,
                 "totalTokenCount":90},"modelVersion":"gemini-2.5-flash"}"""));
        Map<String, Object> tool = Map.of("type", "function", "function", Map.of("name", "get_weather",
                "parameters", Map.of("type", "object", "properties", Map.of("city", Map.of("type", "string")))));
        Map<String, Object> question = Map.of("role", "user", "content", "Weather in Paris?");

        JsonNode first = JSON.readTree(chat(Map.of("model", "google/gemini-2.5-flash", "messages", List.of(question),
                "tools", List.of(tool))).expectStatus().isOk().expectBody().returnResult().getResponseBody());

        JsonNode call = first.at("/choices/0/message/tool_calls/0");
        assertThat(first.at("/choices/0/finish_reason").stringValue()).isEqualTo("tool_calls");
        assertThat(call.at("/function/name").stringValue()).isEqualTo("get_weather");
        assertThat(call.at("/function/arguments").stringValue()).isEqualTo("{\"city\":\"Paris\"}");
        assertThat(first.at("/usage/completion_tokens").asInt()).isEqualTo(38);
        assertThat(first.at("/usage/completion_tokens_details/reasoning_tokens").asInt()).isEqualTo(31);
        assertThat(upstream.takeRequest().json().at("/tools/0/functionDeclarations/0/name").stringValue())
            .isEqualTo("get_weather");

        upstream.enqueue(FakeReply.fixture(200, "gemini/generate-content.json"));
        chat(Map.of("model", "google/gemini-2.5-flash", "tools", List.of(tool), "messages", List.of(question,
                Map.of("role", "assistant", "tool_calls", List.of(JSON.convertValue(call, Map.class))),
                Map.of("role", "tool", "tool_call_id", call.path("id").stringValue(), "content", "{\"celsius\":21}"))))
            .expectStatus().isOk();

        JsonNode contents = upstream.takeRequest().json().path("contents");
        assertThat(contents.at("/1/role").stringValue()).isEqualTo("model");
        assertThat(contents.at("/1/parts/0/functionCall/args/city").stringValue()).isEqualTo("Paris");
        assertThat(contents.at("/1/parts/0/thoughtSignature").stringValue()).isEqualTo("CtIBAdHtim9");
        assertThat(contents.at("/2/role").stringValue()).isEqualTo("user");
        assertThat(contents.at("/2/parts/0/functionResponse/name").stringValue()).isEqualTo("get_weather");
        assertThat(contents.at("/2/parts/0/functionResponse/response/celsius").asInt()).isEqualTo(21);
    }

    @Test
    void aStreamIsRelayedChunkByChunkAndBilledFromTheLastUsage() {
        upstream.enqueue(FakeReply.sseFixture("gemini/stream-text.sse"));

        EntityExchangeResult<String> result = chat(request(true, "What is the capital of Wyoming?"))
            .expectStatus().isOk()
            .expectHeader().contentTypeCompatibleWith(MediaType.TEXT_EVENT_STREAM)
            .expectBody(String.class).returnResult();

        List<String> data = SseText.dataOf(result.getResponseBody());
        assertThat(data).hasSize(4).last().isEqualTo("[DONE]");
        String text = data.subList(0, 3).stream()
            .map(chunk -> JSON.readTree(chunk).at("/choices/0/delta/content").stringValue())
            .reduce("", String::concat);
        assertThat(text).isEqualTo("The capital of Wyoming is **Cheyenne**.\n");
        assertThat(JSON.readTree(data.get(0)).path("model").stringValue()).isEqualTo("google/gemini-2.5-flash");
        assertThat(JSON.readTree(data.get(2)).at("/choices/0/finish_reason").stringValue()).isEqualTo("stop");
        assertThat(upstream.takeRequest().uri())
            .isEqualTo("/google/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse");

        Map<String, Object> row = new RequestLog(db).row(generationId(result));
        assertThat(row.get("streamed")).isEqualTo(true);
        assertThat(row.get("prompt_tokens")).isEqualTo(7);
        assertThat(row.get("completion_tokens")).isEqualTo(10);
        assertThat(row.get("finish_reason")).isEqualTo("stop");
        assertThat(row.get("error_code")).isNull();
    }

    @Test
    void aStreamedAnswerWithThoughtsIsBilledWithItsThoughtTokens() {
        upstream.enqueue(FakeReply.sseFixture("gemini/stream-thinking.sse"));

        EntityExchangeResult<String> result = chat(Map.of("model", "google/gemini-2.5-flash", "stream", true,
                "stream_options", Map.of("include_usage", true),
                "messages", List.of(Map.of("role", "user", "content", "Why is the sky blue?"))))
            .expectStatus().isOk().expectBody(String.class).returnResult();

        List<String> data = SseText.dataOf(result.getResponseBody());
        JsonNode usage = JSON.readTree(data.get(data.size() - 2)).path("usage");
        assertThat(usage.path("prompt_tokens").asInt()).isEqualTo(10);
        assertThat(usage.path("completion_tokens").asInt()).isEqualTo(588);
        assertThat(usage.at("/completion_tokens_details/reasoning_tokens").asInt()).isEqualTo(540);
        Map<String, Object> row = new RequestLog(db).row(generationId(result));
        assertThat(row.get("prompt_tokens")).isEqualTo(10);
        assertThat(row.get("completion_tokens")).isEqualTo(588);
        assertThat(row.get("reasoning_tokens")).isEqualTo(540);
    }

    @Test
    void cachedTokensAreRecordedAsGeminiReportedThem() {
        upstream.enqueue(FakeReply.json(200, """
                {"candidates":[{"content":{"role":"model","parts":[{"text":"Yes."}]},"finishReason":"STOP"}],
                 "usageMetadata":{"promptTokenCount":4100,"cachedContentTokenCount":4096,"candidatesTokenCount":2,
                 "totalTokenCount":4102},"modelVersion":"gemini-2.5-flash"}"""));

        EntityExchangeResult<byte[]> result = chat(request(false, "Is it in the document?")).expectStatus().isOk()
            .expectBody().returnResult();

        JsonNode usage = JSON.readTree(result.getResponseBody()).path("usage");
        assertThat(usage.at("/prompt_tokens_details/cached_tokens").asInt()).isEqualTo(4096);
        Map<String, Object> row = new RequestLog(db).row(generationId(result));
        assertThat(row.get("prompt_tokens")).isEqualTo(4100);
        assertThat(row.get("cached_tokens")).isEqualTo(4096);
        assertThat(row.get("completion_tokens")).isEqualTo(2);
    }

    /**
     * Gemini 2.5 Flash bills audio input at $1.00 a million tokens and text at $0.30; its answer counts the prompt's
     * audio apart. The audio the cache served costs $0.10, in the ratio cached text ($0.03) bears to text.
     */
    @Test
    void audioInTheMessageIsPricedAtTheModelsAudioPrice() {
        upstream.enqueue(FakeReply.json(200, """
                {"candidates":[{"content":{"role":"model","parts":[{"text":"A dog barks."}]},"finishReason":"STOP"}],
                 "usageMetadata":{"promptTokenCount":1010,"candidatesTokenCount":4,"totalTokenCount":1014,
                  "cachedContentTokenCount":200,
                  "promptTokensDetails":[{"modality":"AUDIO","tokenCount":1000},{"modality":"TEXT","tokenCount":10}],
                  "cacheTokensDetails":[{"modality":"AUDIO","tokenCount":200}]},
                 "modelVersion":"gemini-2.5-flash"}"""));

        EntityExchangeResult<byte[]> result = chat(Map.of("model", "google/gemini-2.5-flash", "messages",
                List.of(Map.of("role", "user", "content", List.of(Map.of("type", "text", "text", "What is it?"),
                        Map.of("type", "input_audio", "input_audio", Map.of("data", "UklGRg==", "format", "wav")))))))
            .expectStatus().isOk().expectBody().returnResult();

        // Micro-USD per token: audio 1.00, text 0.30, cached audio 0.10, output 2.50.
        Map<String, Object> row = new RequestLog(db).row(generationId(result));
        assertThat(((Number) row.get("cost_micros")).longValue())
            .isEqualTo((long) Math.ceil(800 * 1.00 + 10 * 0.30 + 200 * 0.10 + 4 * 2.50));
    }

    /** Gemini 2.5 Pro bills a call whose prompt is above 200K tokens at $2.50 and $15 a million, not $1.25 and $10. */
    @Test
    void aLongPromptOnGemini25ProIsBilledAtTheLongContextPrices() {
        upstream.enqueue(FakeReply.json(200, """
                {"candidates":[{"content":{"role":"model","parts":[{"text":"Done."}]},"finishReason":"STOP"}],
                 "usageMetadata":{"promptTokenCount":250000,"candidatesTokenCount":4,"totalTokenCount":250004},
                 "modelVersion":"gemini-2.5-pro"}"""));

        EntityExchangeResult<byte[]> result = chat(request(false, "Summarize the archive.", "google/gemini-2.5-pro"))
            .expectStatus().isOk().expectBody().returnResult();

        Map<String, Object> row = new RequestLog(db).row(generationId(result));
        assertThat(((Number) row.get("cost_micros")).longValue()).isEqualTo(250_000 * 5 / 2 + 4 * 15);
    }

    @Test
    void streamedToolCallsArriveAsToolCallDeltas() {
        upstream.enqueue(FakeReply.sse("""
                data: {"candidates": [{"content": {"parts": [{"functionCall": {"name": "get_weather","args": {"city": "Oslo"}}}],"role": "model"},"finishReason": "STOP","index": 0}],"usageMetadata": {"promptTokenCount": 40,"candidatesTokenCount": 6,"totalTokenCount": 46},"modelVersion": "gemini-2.5-flash"}

                """));

        List<String> data = SseText.dataOf(chat(Map.of("model", "google/gemini-2.5-flash", "stream", true,
                "messages", List.of(Map.of("role", "user", "content", "Weather in Oslo?")),
                "tools", List.of(Map.of("type", "function", "function", Map.of("name", "get_weather")))))
            .expectStatus().isOk().expectBody(String.class).returnResult().getResponseBody());

        JsonNode choice = JSON.readTree(data.get(0)).at("/choices/0");
        assertThat(choice.at("/delta/tool_calls/0/index").asInt()).isZero();
        assertThat(choice.at("/delta/tool_calls/0/function/name").stringValue()).isEqualTo("get_weather");
        assertThat(choice.at("/delta/tool_calls/0/function/arguments").stringValue()).isEqualTo("{\"city\":\"Oslo\"}");
        assertThat(choice.path("finish_reason").stringValue()).isEqualTo("tool_calls");
        assertThat(data).last().isEqualTo("[DONE]");
    }

    @Test
    void aPromptGeminiBlocksIsA400ContentFilterError() {
        upstream.enqueue(FakeReply.json(200, """
                {"promptFeedback":{"blockReason":"SAFETY","safetyRatings":[{"category":"HARM_CATEGORY_DANGEROUS_CONTENT",
                 "probability":"HIGH"}]},"usageMetadata":{"promptTokenCount":8,"totalTokenCount":8},
                 "modelVersion":"gemini-2.5-flash"}"""));

        String generationId = chat(request(false, "something dangerous"))
            .expectStatus().isBadRequest()
            .expectBody()
            .jsonPath("$.error.code").isEqualTo("content_filter")
            .jsonPath("$.error.message").value(message -> assertThat((String) message).contains("SAFETY"))
            .returnResult().getResponseHeaders().getFirst("x-tollgate-generation-id");
        assertThat(new RequestLog(db).row(generationId).get("status")).isEqualTo(400);
    }

    @Test
    void anAnswerStoppedBySafetyFinishesWithContentFilter() {
        upstream.enqueue(FakeReply.sse("""
                data: {"candidates": [{"content": {"parts": [{"text": "Here is how"}],"role": "model"},"index": 0}],"usageMetadata": {"promptTokenCount": 8,"totalTokenCount": 8}}

                data: {"candidates": [{"finishReason": "SAFETY","index": 0}],"usageMetadata": {"promptTokenCount": 8,"candidatesTokenCount": 3,"totalTokenCount": 11}}

                """));

        EntityExchangeResult<String> result = chat(request(true, "something borderline")).expectStatus().isOk()
            .expectBody(String.class).returnResult();

        List<String> data = SseText.dataOf(result.getResponseBody());
        assertThat(JSON.readTree(data.get(1)).at("/choices/0/finish_reason").stringValue()).isEqualTo("content_filter");
        assertThat(new RequestLog(db).row(generationId(result)).get("finish_reason")).isEqualTo("content_filter");
    }

    @Test
    void aStreamCutShortEndsWithAnErrorEventAndIsBilledForWhatWasReported() {
        upstream.enqueue(FakeReply.sseFixture("gemini/stream-thinking.sse").droppingAfter(2));

        EntityExchangeResult<String> result = chat(request(true, "Why is the sky blue?")).expectStatus().isOk()
            .expectBody(String.class).returnResult();

        List<String> data = SseText.dataOf(result.getResponseBody());
        assertThat(data).hasSize(3).doesNotContain("[DONE]");
        assertThat(JSON.readTree(data.get(2)).at("/error/code").stringValue()).isEqualTo("upstream_connection_lost");
        Map<String, Object> row = new RequestLog(db).row(generationId(result));
        assertThat(row.get("status")).isEqualTo(200);
        assertThat(row.get("error_code")).isEqualTo("upstream_connection_lost");
        assertThat(row.get("prompt_tokens")).isEqualTo(10);
        assertThat(row.get("reasoning_tokens")).as("the second event's cumulative count").isEqualTo(318);
    }

    @Test
    void aStreamThatClosesCleanlyWithoutFinishingEndsWithAnErrorEvent() {
        List<String> frames = SseText.frames(Fixtures.text("gemini/stream-text.sse"));
        upstream.enqueue(FakeReply.sse(frames.get(0) + frames.get(1)));

        List<String> data = SseText.dataOf(chat(request(true, "Capital of Wyoming?")).expectStatus().isOk()
            .expectBody(String.class).returnResult().getResponseBody());

        assertThat(data).hasSize(3).doesNotContain("[DONE]");
        assertThat(JSON.readTree(data.get(2)).at("/error/code").stringValue()).isEqualTo("upstream_malformed_response");
    }

    @Test
    void geminisOwnBadRequestIsTheClients400() {
        upstream.enqueue(FakeReply.json(400, """
                {"error":{"code":400,"message":"Unable to submit request because it has an empty text parameter.",
                 "status":"INVALID_ARGUMENT"}}"""));

        chat(request(false, "")).expectStatus().isBadRequest()
            .expectBody()
            .jsonPath("$.error.type").isEqualTo("invalid_request_error")
            .jsonPath("$.error.message").value(message -> assertThat((String) message).contains("empty text"));
    }

    @Test
    void aRejectedApiKeyIs502ForTheOperatorToFix() {
        upstream.enqueue(FakeReply.fixture(400, "gemini/error-400-api-key.json"));

        chat(request(false, "Hi")).expectStatus().isEqualTo(502)
            .expectBody().jsonPath("$.error.code").isEqualTo("upstream_auth_failed");
    }

    @Test
    void aPermissionDeniedIs502ForTheOperatorToFix() {
        upstream.enqueue(FakeReply.json(403, """
                {"error":{"code":403,"message":"Method doesn't allow unregistered callers.",
                 "status":"PERMISSION_DENIED"}}"""));

        chat(request(false, "Hi")).expectStatus().isEqualTo(502)
            .expectBody().jsonPath("$.error.code").isEqualTo("upstream_auth_failed");
    }

    @Test
    void quotaExhaustionIs429WithTheDelayGeminiAsksFor() {
        upstream.enqueue(FakeReply.json(429, """
                {"error":{"code":429,"message":"You exceeded your current quota, please check your plan and billing details.",
                 "status":"RESOURCE_EXHAUSTED","details":[{"@type":"type.googleapis.com/google.rpc.RetryInfo",
                 "retryDelay":"17s"}]}}"""));

        chat(request(false, "Hi")).expectStatus().isEqualTo(429)
            .expectHeader().valueEquals("Retry-After", "17")
            .expectBody().jsonPath("$.error.code").isEqualTo("upstream_rate_limited");
    }

    @Test
    void theRecordedQuotaErrorIs429WithARetryAfter() {
        upstream.enqueue(FakeReply.fixture(429, "gemini/error-429-quota.json"));

        chat(request(true, "Hi")).expectStatus().isEqualTo(429).expectHeader().exists("Retry-After");
    }

    @Test
    void serverErrorsAre502AndOverloadIs503() {
        upstream.enqueueFailure(FakeReply.json(500, """
                {"error":{"code":500,"message":"An internal error has occurred.","status":"INTERNAL"}}"""));
        chat(request(false, "Hi")).expectStatus().isEqualTo(502)
            .expectBody().jsonPath("$.error.message").value(message -> assertThat((String) message)
                .contains("HTTP 500").contains("internal error"));

        upstream.enqueueFailure(FakeReply.json(503, """
                {"error":{"code":503,"message":"The model is overloaded. Please try again later.",
                 "status":"UNAVAILABLE"}}"""));
        chat(request(true, "Hi")).expectStatus().isEqualTo(503)
            .expectBody().jsonPath("$.error.code").isEqualTo("upstream_overloaded");
    }

    @Test
    void aParameterGeminiLacksIs400AndNeverReachesGemini() {
        chat(Map.of("model", "google/gemini-2.5-flash", "logit_bias", Map.of("50256", -100),
                "messages", List.of(Map.of("role", "user", "content", "Hi"))))
            .expectStatus().isBadRequest()
            .expectBody().jsonPath("$.error.param").isEqualTo("logit_bias");

        assertThat(upstream.requestCount()).isZero();
    }

    @Test
    void anEmbeddingModelIsRefusedByChatCompletions() {
        chat(request(false, "Hi", "google/gemini-embedding-001"))
            .expectStatus().isBadRequest()
            .expectBody()
            .jsonPath("$.error.code").isEqualTo("model_not_supported")
            .jsonPath("$.error.message").value(message -> assertThat((String) message).contains("/v1/embeddings"));

        assertThat(upstream.requestCount()).isZero();
    }

    private WebTestClient.ResponseSpec chat(Object body) {
        return client.post().uri("/v1/chat/completions").header("Authorization", "Bearer " + key)
            .contentType(MediaType.APPLICATION_JSON).bodyValue(body).exchange();
    }

    private static Map<String, Object> request(boolean stream, String text) {
        return request(stream, text, "google/gemini-2.5-flash");
    }

    private static Map<String, Object> request(boolean stream, String text, String model) {
        return Map.of("model", model, "stream", stream, "messages", List.of(Map.of("role", "user", "content", text)));
    }

    private static String generationId(EntityExchangeResult<?> result) {
        return result.getResponseHeaders().getFirst("x-tollgate-generation-id");
    }

}
