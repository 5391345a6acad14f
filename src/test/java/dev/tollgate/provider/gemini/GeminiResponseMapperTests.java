package dev.tollgate.provider.gemini;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import dev.tollgate.provider.ChatCompletion;
import dev.tollgate.provider.TokenUsage;
import dev.tollgate.provider.UpstreamException;
import dev.tollgate.testsupport.Fixtures;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class GeminiResponseMapperTests {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final GeminiResponseMapper mapper = new GeminiResponseMapper(JSON, "google");

    @Test
    void theRecordedAnswerBecomesAChatCompletion() {
        ChatCompletion completion = map(Fixtures.text("gemini/generate-content.json"));

        JsonNode body = completion.body();
        assertThat(body.path("object").stringValue()).isEqualTo("chat.completion");
        assertThat(body.path("model").stringValue()).isEqualTo("gemini-2.0-flash");
        JsonNode choice = body.at("/choices/0");
        assertThat(choice.path("index").asInt()).isZero();
        assertThat(choice.at("/message/role").stringValue()).isEqualTo("assistant");
        assertThat(choice.at("/message/content").stringValue())
            .isEqualTo("Google's headquarters, also known as the Googleplex, is located in **Mountain View, "
                    + "California**.\n");
        assertThat(choice.at("/message/tool_calls").isMissingNode()).isTrue();
        assertThat(choice.path("finish_reason").stringValue()).isEqualTo("stop");
        assertThat(completion.usage()).isEqualTo(new TokenUsage(7, 22, 0, 0, 0));
    }

    @Test
    void functionCallsBecomeToolCallsAndFinishWithToolCalls() {
        // Shape from Gemini's API reference (FunctionCall part, its optional id); no public recording was found.
        ChatCompletion completion = map("""
                {"candidates":[{"content":{"role":"model","parts":[
                  {"functionCall":{"id":"fc-1","name":"get_weather","args":{"city":"Paris"}},"thoughtSignature":"c2ln"},
                  {"functionCall":{"name":"get_weather","args":{"city":"Oslo"}}}]},"finishReason":"STOP"}],
                 "usageMetadata":{"promptTokenCount":40,"candidatesTokenCount":12,"totalTokenCount":52},
                 "modelVersion":"gemini-2.5-flash"}""");

        JsonNode message = completion.body().at("/choices/0/message");
        assertThat(message.path("content").isNull()).isTrue();
        JsonNode calls = message.path("tool_calls");
        assertThat(calls).hasSize(2);
        assertThat(calls.at("/0/type").stringValue()).isEqualTo("function");
        assertThat(calls.at("/0/function/name").stringValue()).isEqualTo("get_weather");
        assertThat(JSON.readTree(calls.at("/0/function/arguments").stringValue()).path("city").stringValue())
            .isEqualTo("Paris");
        assertThat(GeminiToolCallIds.thoughtSignature(calls.at("/0/id").stringValue())).isEqualTo("c2ln");
        assertThat(GeminiToolCallIds.geminiId(calls.at("/0/id").stringValue())).isEqualTo("fc-1");
        assertThat(GeminiToolCallIds.geminiId(calls.at("/1/id").stringValue())).isNull();
        assertThat(calls.at("/1/id").stringValue()).startsWith("call_").isNotEqualTo(calls.at("/0/id").stringValue());
        assertThat(completion.body().at("/choices/0/finish_reason").stringValue()).isEqualTo("tool_calls");
    }

    @Test
    void cachedAndThoughtTokensAreCountedAsOpenAiCountsThem() {
        ChatCompletion completion = map("""
                {"candidates":[{"content":{"role":"model","parts":[{"text":"Because of Rayleigh scattering.",
                  "thought":false},{"text":"**Thinking about light**","thought":true}]},"finishReason":"STOP"}],
                 "usageMetadata":{"promptTokenCount":1200,"cachedContentTokenCount":1000,"candidatesTokenCount":8,
                  "thoughtsTokenCount":90,"totalTokenCount":1298}}""");

        assertThat(completion.usage()).isEqualTo(new TokenUsage(1200, 98, 1000, 0, 90));
        assertThat(completion.body().at("/choices/0/message/content").stringValue())
            .isEqualTo("Because of Rayleigh scattering.");
        assertThat(completion.body().at("/choices/0/message/reasoning").stringValue())
            .isEqualTo("**Thinking about light**");
    }

    @Test
    void finishReasonsAreOpenAis() {
        assertThat(GeminiResponseMapper.finishReason("STOP", false)).isEqualTo("stop");
        assertThat(GeminiResponseMapper.finishReason("MAX_TOKENS", false)).isEqualTo("length");
        assertThat(GeminiResponseMapper.finishReason("MAX_TOKENS", true)).isEqualTo("length");
        for (String filtered : new String[] {"SAFETY", "RECITATION", "BLOCKLIST", "PROHIBITED_CONTENT", "SPII"}) {
            assertThat(GeminiResponseMapper.finishReason(filtered, false)).isEqualTo("content_filter");
        }
        assertThat(GeminiResponseMapper.finishReason("MALFORMED_FUNCTION_CALL", false)).isEqualTo("stop");
        assertThat(GeminiResponseMapper.finishReason(null, false)).isNull();
    }

    @Test
    void anAnswerCutBySafetyFinishesWithContentFilter() {
        ChatCompletion completion = map("""
                {"candidates":[{"finishReason":"SAFETY","index":0,"safetyRatings":[
                  {"category":"HARM_CATEGORY_DANGEROUS_CONTENT","probability":"HIGH","blocked":true}]}],
                 "usageMetadata":{"promptTokenCount":9,"totalTokenCount":9}}""");

        assertThat(completion.body().at("/choices/0/message/content").isNull()).isTrue();
        assertThat(completion.body().at("/choices/0/finish_reason").stringValue()).isEqualTo("content_filter");
        assertThat(completion.usage()).isEqualTo(TokenUsage.of(9, 0));
    }

    @Test
    void aBlockedPromptIsA400ContentFilterError() {
        assertThatThrownBy(() -> map("""
                {"promptFeedback":{"blockReason":"SAFETY","safetyRatings":[]},
                 "usageMetadata":{"promptTokenCount":9,"totalTokenCount":9}}"""))
            .isInstanceOfSatisfying(UpstreamException.class, error -> {
                assertThat(error.status().value()).isEqualTo(400);
                assertThat(error.code()).isEqualTo("content_filter");
                assertThat(error.getMessage()).contains("blocked the prompt (SAFETY)");
            });
    }

    @Test
    void countsWhoseSumPassesTheCeilingAreAMalformedAnswer() {
        for (String usage : new String[] {
                "\"promptTokenCount\":1000000000,\"toolUsePromptTokenCount\":1000000000,\"candidatesTokenCount\":1",
                "\"promptTokenCount\":1,\"candidatesTokenCount\":1000000000,\"thoughtsTokenCount\":1000000000" }) {
            assertThatThrownBy(() -> map("""
                    {"candidates":[{"content":{"role":"model","parts":[{"text":"hi"}]},"finishReason":"STOP"}],
                     "usageMetadata":{%s}}""".formatted(usage)))
                .isInstanceOfSatisfying(UpstreamException.class,
                        error -> assertThat(error.code()).isEqualTo("upstream_malformed_response"));
        }
    }

    @Test
    void aBodyThatIsNotGeminisIsMalformed() {
        assertThatThrownBy(() -> map("<html>oops</html>"))
            .isInstanceOfSatisfying(UpstreamException.class,
                    error -> assertThat(error.code()).isEqualTo("upstream_malformed_response"));
        assertThatThrownBy(() -> map("{}"))
            .isInstanceOfSatisfying(UpstreamException.class,
                    error -> assertThat(error.code()).isEqualTo("upstream_malformed_response"));
    }

    private ChatCompletion map(String body) {
        return mapper.toCompletion(body.getBytes(StandardCharsets.UTF_8));
    }

}
