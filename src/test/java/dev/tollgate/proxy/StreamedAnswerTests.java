package dev.tollgate.proxy;

import java.util.List;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

import dev.tollgate.provider.ChatCompletion;
import dev.tollgate.provider.ChatStreamEvent;
import dev.tollgate.provider.TokenUsage;

import static org.assertj.core.api.Assertions.assertThat;

class StreamedAnswerTests {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private static final TokenUsage USAGE = new TokenUsage(10, 4, 0, 0, 0);

    @Test
    void twoChoicesArePutBackTogetherInTheirOrder() {
        StreamedAnswer answer = new StreamedAnswer(1_000);
        answer.add(chunk(1, "{\"role\":\"assistant\",\"content\":\"B\"}", null));
        answer.add(chunk(0, "{\"role\":\"assistant\",\"content\":\"A\"}", null));
        answer.add(chunk(0, "{\"content\":\"a\"}", "\"stop\""));
        answer.add(chunk(1, "{\"content\":\"b\"}", "\"length\""));
        answer.add(new ChatStreamEvent.Usage(USAGE));

        ChatCompletion whole = answer.completion(JSON);

        assertThat(whole).isNotNull();
        assertThat(whole.body().at("/choices/0/message/content").stringValue()).isEqualTo("Aa");
        assertThat(whole.body().at("/choices/1/message/content").stringValue()).isEqualTo("Bb");
        assertThat(whole.body().at("/choices/1/finish_reason").stringValue()).isEqualTo("length");
        assertThat(whole.usage()).isEqualTo(USAGE);
    }

    @Test
    void anUnfinishedChoiceOrAnAnswerPastTheSizeIsNotKept() {
        StreamedAnswer unfinished = new StreamedAnswer(1_000);
        unfinished.add(chunk(0, "{\"content\":\"A\"}", null));
        unfinished.add(new ChatStreamEvent.Usage(USAGE));
        StreamedAnswer large = new StreamedAnswer(10);
        large.add(chunk(0, "{\"content\":\"" + "x".repeat(11) + "\"}", "\"stop\""));
        large.add(new ChatStreamEvent.Usage(USAGE));

        assertThat(unfinished.completion(JSON)).isNull();
        assertThat(large.completion(JSON)).isNull();
    }

    @Test
    void aKeptAnswerIsReplayedAsAChunkOfEverythingAndOneOfItsFinishThenItsUsage() {
        ObjectNode kept = (ObjectNode) JSON.readTree("""
                {"id":"chatcmpl-1","object":"chat.completion","created":5,"model":"gpt-4o-mini","choices":[
                 {"index":0,"message":{"role":"assistant","content":null,"tool_calls":[{"id":"call_1","type":"function",
                  "function":{"name":"weather","arguments":"{\\"city\\":\\"Paris\\"}"}}]},"finish_reason":"tool_calls"}]}""");

        List<ChatStreamEvent> events = StreamedAnswer.replay(kept, USAGE, null, JSON).collectList().block();

        assertThat(events).hasSize(3);
        ObjectNode first = ((ChatStreamEvent.Chunk) events.get(0)).chunk();
        assertThat(first.at("/choices/0/delta/tool_calls/0/index").asInt()).isZero();
        assertThat(first.at("/choices/0/delta/tool_calls/0/function/arguments").stringValue())
            .isEqualTo("{\"city\":\"Paris\"}");
        assertThat(first.at("/choices/0/finish_reason").isNull()).isTrue();
        assertThat(((ChatStreamEvent.Chunk) events.get(1)).finishReason()).isEqualTo("tool_calls");
        assertThat(events.get(2)).isEqualTo(new ChatStreamEvent.Usage(USAGE));
    }

    private static ChatStreamEvent.Chunk chunk(int index, String delta, String finishReason) {
        return new ChatStreamEvent.Chunk((ObjectNode) JSON.readTree("{\"id\":\"c\",\"object\":\"chat.completion.chunk\","
                + "\"created\":1,\"model\":\"m\",\"choices\":[{\"index\":" + index + ",\"delta\":" + delta
                + ",\"finish_reason\":" + finishReason + "}]}"));
    }

}
