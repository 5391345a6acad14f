package dev.tollgate.provider.anthropic;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import dev.tollgate.provider.ChatCompletion;
import dev.tollgate.provider.TokenUsage;
import dev.tollgate.provider.UpstreamException;
import dev.tollgate.testsupport.Fixtures;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class AnthropicResponseMapperTests {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private static final Clock CLOCK = Clock.fixed(Instant.ofEpochSecond(1_760_000_000), ZoneOffset.UTC);

    private final AnthropicResponseMapper mapper = new AnthropicResponseMapper(JSON, "anthropic", CLOCK);

    /** The response body of the live recording in {@code fixtures/anthropic/message-recording.json}. */
    static String recordedMessage() {
        return JSON.writeValueAsString(JSON.readTree(Fixtures.text("anthropic/message-recording.json"))
            .get(0).path("response").path("body"));
    }

    @Test
    void aRecordedMessageBecomesAChatCompletion() {
        ChatCompletion completion = mapper.toCompletion(recordedMessage().getBytes(StandardCharsets.UTF_8));

        JsonNode body = completion.body();
        assertThat(body.path("id").stringValue()).isEqualTo("msg_01Egs18hRzhru3uGon3qesbA");
        assertThat(body.path("object").stringValue()).isEqualTo("chat.completion");
        assertThat(body.path("created").asLong()).isEqualTo(1_760_000_000L);
        assertThat(body.path("model").stringValue()).isEqualTo("claude-sonnet-4-5-20250929");
        JsonNode choice = body.path("choices").get(0);
        assertThat(choice.path("message").path("role").stringValue()).isEqualTo("assistant");
        assertThat(choice.path("message").path("content").stringValue())
            .isEqualTo("{\"product_name\": \"Green Tea\", \"price\": 5.50, \"quantity\": 2}");
        assertThat(choice.path("message").has("tool_calls")).isFalse();
        assertThat(choice.path("finish_reason").stringValue()).isEqualTo("stop");
        assertThat(completion.usage()).isEqualTo(TokenUsage.of(249, 26));
        assertThat(body.path("usage").path("total_tokens").asInt()).isEqualTo(275);
    }

    @Test
    void aUsageCountBeyondALongIsAMalformedAnswer() {
        assertThatThrownBy(() -> mapper.toCompletion(bytes("""
                {"id":"msg_1","type":"message","role":"assistant","model":"claude-sonnet-4-5",
                 "content":[{"type":"text","text":"hi"}],"stop_reason":"end_turn",
                 "usage":{"input_tokens":12,"output_tokens":1e30}}""")))
            .isInstanceOfSatisfying(UpstreamException.class,
                error -> assertThat(error.code()).isEqualTo("upstream_malformed_response"));
    }

    @Test
    void aPromptWhosePartsTogetherPassTheCeilingIsAMalformedAnswer() {
        // Each part is a count Tollgate takes; together they are a prompt of three billion tokens, which no int column
        // of the request log holds and whose price at the dearest rate overflows a long.
        assertThatThrownBy(() -> mapper.toCompletion(bytes("""
                {"id":"msg_1","type":"message","role":"assistant","model":"claude-sonnet-4-5",
                 "content":[{"type":"text","text":"hi"}],"stop_reason":"end_turn",
                 "usage":{"input_tokens":1000000000,"cache_read_input_tokens":1000000000,
                          "cache_creation_input_tokens":1000000000,"output_tokens":5}}""")))
            .isInstanceOfSatisfying(UpstreamException.class,
                error -> assertThat(error.code()).isEqualTo("upstream_malformed_response"));
    }

    @Test
    void toolUseBlocksBecomeToolCallsAndTextBlocksJoin() {
        ChatCompletion completion = mapper.toCompletion(bytes("""
                {"id":"msg_1","type":"message","role":"assistant","model":"claude-sonnet-4-5",
                 "content":[{"type":"thinking","thinking":"hmm","signature":"x"},
                   {"type":"text","text":"Let me check "},{"type":"text","text":"both."},
                   {"type":"tool_use","id":"toolu_1","name":"get_weather","input":{"city":"Paris"}},
                   {"type":"tool_use","id":"toolu_2","name":"now","input":{}}],
                 "stop_reason":"tool_use","stop_sequence":null,"usage":{"input_tokens":10,"output_tokens":20}}"""));

        JsonNode message = completion.body().path("choices").get(0).path("message");
        assertThat(message.path("content").stringValue()).isEqualTo("Let me check both.");
        assertThat(message.path("tool_calls")).isEqualTo(JSON.readTree("""
                [{"id":"toolu_1","type":"function","function":{"name":"get_weather","arguments":"{\\"city\\":\\"Paris\\"}"}},
                 {"id":"toolu_2","type":"function","function":{"name":"now","arguments":"{}"}}]"""));
        assertThat(completion.body().path("choices").get(0).path("finish_reason").stringValue())
            .isEqualTo("tool_calls");
    }

    @Test
    void aMessageWithOnlyToolUseHasNullContent() {
        ChatCompletion completion = mapper.toCompletion(bytes("""
                {"id":"msg_1","type":"message","role":"assistant","model":"c","stop_reason":"tool_use",
                 "content":[{"type":"tool_use","id":"toolu_1","name":"f","input":{}}],
                 "usage":{"input_tokens":1,"output_tokens":1}}"""));

        assertThat(completion.body().path("choices").get(0).path("message").path("content").isNull()).isTrue();
    }

    @Test
    void stopReasonsBecomeFinishReasons() {
        assertThat(finishReasonOf("end_turn")).isEqualTo("stop");
        assertThat(finishReasonOf("stop_sequence")).isEqualTo("stop");
        assertThat(finishReasonOf("max_tokens")).isEqualTo("length");
        assertThat(finishReasonOf("tool_use")).isEqualTo("tool_calls");
        assertThat(finishReasonOf("refusal")).isEqualTo("content_filter");
    }

    @Test
    void cacheReadsAndWritesCountAsPromptTokens() {
        ChatCompletion completion = mapper.toCompletion(bytes("""
                {"id":"msg_1","type":"message","role":"assistant","model":"c","stop_reason":"end_turn",
                 "content":[{"type":"text","text":"ok"}],
                 "usage":{"input_tokens":12,"cache_read_input_tokens":2000,"cache_creation_input_tokens":300,
                          "output_tokens":40}}"""));

        assertThat(completion.usage()).isEqualTo(new TokenUsage(2312, 40, 2000, 300, 0));
        assertThat(completion.body().path("usage").path("prompt_tokens_details").path("cached_tokens").asInt())
            .isEqualTo(2000);
    }

    @Test
    void aBodyThatIsNotAMessageIsAMalformedAnswer() {
        assertThatThrownBy(() -> mapper.toCompletion(bytes("<html>oops</html>")))
            .isInstanceOfSatisfying(UpstreamException.class,
                    error -> assertThat(error.code()).isEqualTo("upstream_malformed_response"));
        assertThatThrownBy(() -> mapper.toCompletion(bytes("{\"type\":\"completion\"}")))
            .isInstanceOf(UpstreamException.class);
    }

    private String finishReasonOf(String stopReason) {
        return mapper.toCompletion(bytes("{\"id\":\"m\",\"type\":\"message\",\"model\":\"c\",\"content\":[],"
                + "\"stop_reason\":\"" + stopReason + "\",\"usage\":{}}"))
            .body().path("choices").get(0).path("finish_reason").stringValue();
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

}
