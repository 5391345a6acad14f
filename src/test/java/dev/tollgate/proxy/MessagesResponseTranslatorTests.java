package dev.tollgate.proxy;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

import dev.tollgate.provider.TokenUsage;
import dev.tollgate.testsupport.Fixtures;

import static org.assertj.core.api.Assertions.assertThat;

class MessagesResponseTranslatorTests {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final MessagesResponseTranslator translator = new MessagesResponseTranslator(JSON);

    @Test
    void aRecordedChatCompletionBecomesAnAnthropicMessage() {
        ObjectNode completion = (ObjectNode) JSON.readTree(Fixtures.text("openai/chat-completion.json"));

        JsonNode message = translator.toMessage(completion, TokenUsage.of(33, 10));

        assertThat(reparsed(message)).isEqualTo(JSON.readTree("""
                {"id":"chatcmpl-E3sGAPiGWRwRd7k7yrhQCXooLfj0J","type":"message","role":"assistant",
                 "model":"gpt-5.1-2025-11-13","content":[{"type":"text","text":"six"}],
                 "stop_reason":"end_turn","stop_sequence":null,
                 "usage":{"input_tokens":33,"cache_creation_input_tokens":0,"cache_read_input_tokens":0,
                          "output_tokens":10}}"""));
    }

    @Test
    void toolCallsBecomeToolUseBlocksWithTheirArgumentsParsed() {
        ObjectNode completion = (ObjectNode) JSON.readTree("""
                {"id":"gen-1","model":"openai/gpt-4o","choices":[{"index":0,"finish_reason":"tool_calls",
                  "message":{"role":"assistant","content":null,"tool_calls":[
                    {"id":"call_1","type":"function","function":{"name":"get_weather","arguments":"{\\"city\\":\\"NYC\\"}"}},
                    {"id":"call_2","type":"function","function":{"name":"broken","arguments":"{\\"city\\":"}}]}}]}""");

        JsonNode message = translator.toMessage(completion, TokenUsage.of(44, 16));

        assertThat(reparsed(message.path("content"))).isEqualTo(JSON.readTree("""
                [{"type":"tool_use","id":"call_1","name":"get_weather","input":{"city":"NYC"}},
                 {"type":"tool_use","id":"call_2","name":"broken","input":"{\\"city\\":"}]"""));
        assertThat(message.path("stop_reason").stringValue()).isEqualTo("tool_use");
    }

    /** OpenAI answers a call of the tool tool_choice named with finish_reason "stop". */
    @Test
    void anAnswerThatCalledAToolStoppedForIt() {
        ObjectNode completion = (ObjectNode) JSON.readTree("""
                {"id":"gen-1","model":"openai/gpt-4o","choices":[{"index":0,"finish_reason":"stop",
                  "message":{"role":"assistant","content":null,"tool_calls":[
                    {"id":"call_1","type":"function","function":{"name":"extract","arguments":"{}"}}]}}]}""");

        assertThat(translator.toMessage(completion, TokenUsage.of(44, 16)).path("stop_reason").stringValue())
            .isEqualTo("tool_use");
        assertThat(MessagesResponseTranslator.finishWithTools("length", true)).isEqualTo("length");
        assertThat(MessagesResponseTranslator.finishWithTools("stop", false)).isEqualTo("stop");
    }

    @Test
    void finishReasonsBecomeStopReasons() {
        assertThat(MessagesResponseTranslator.stopReason("stop")).isEqualTo("end_turn");
        assertThat(MessagesResponseTranslator.stopReason("length")).isEqualTo("max_tokens");
        assertThat(MessagesResponseTranslator.stopReason("model_length")).isEqualTo("max_tokens");
        assertThat(MessagesResponseTranslator.stopReason("tool_calls")).isEqualTo("tool_use");
        assertThat(MessagesResponseTranslator.stopReason("content_filter")).isEqualTo("refusal");
        assertThat(MessagesResponseTranslator.stopReason(null)).isEqualTo("end_turn");
    }

    @Test
    void cachedPromptTokensAreSplitOutOfTheInputTokens() {
        JsonNode usage = MessagesResponseTranslator.usage(JSON.createObjectNode(),
                new TokenUsage(2312, 40, 2000, 300, 0, 200));

        assertThat(reparsed(usage)).isEqualTo(JSON.readTree("""
                {"input_tokens":12,"cache_creation_input_tokens":300,"cache_read_input_tokens":2000,
                 "cache_creation":{"ephemeral_5m_input_tokens":100,"ephemeral_1h_input_tokens":200},
                 "output_tokens":40}"""));
    }

    /** As a client reads it: token counts written as longs compare equal to the ints of a parsed literal. */
    private static JsonNode reparsed(JsonNode node) {
        return JSON.readTree(JSON.writeValueAsString(node));
    }

}
