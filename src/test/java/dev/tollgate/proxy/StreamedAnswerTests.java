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
        StreamedAnswer answer = new StreamedAnswer(2, 1_000);
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
        StreamedAnswer unfinished = new StreamedAnswer(1, 1_000);
        unfinished.add(chunk(0, "{\"content\":\"A\"}", null));
        unfinished.add(new ChatStreamEvent.Usage(USAGE));
        StreamedAnswer large = new StreamedAnswer(1, 10);
        large.add(chunk(0, "{\"content\":\"" + "x".repeat(11) + "\"}", "\"stop\""));
        large.add(new ChatStreamEvent.Usage(USAGE));

        StreamedAnswer oneOfTwo = new StreamedAnswer(2, 1_000);
        oneOfTwo.add(chunk(0, "{\"content\":\"A\"}", "\"stop\""));
        oneOfTwo.add(new ChatStreamEvent.Usage(USAGE));
        StreamedAnswer withLogprobs = new StreamedAnswer(1, 1_000);
        withLogprobs.add(new ChatStreamEvent.Chunk((ObjectNode) JSON.readTree("""
                {"id":"c","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,
                 "delta":{"content":"A"},"logprobs":{"content":[{"token":"A","logprob":-0.1}]},"finish_reason":"stop"}]}""")));
        withLogprobs.add(new ChatStreamEvent.Usage(USAGE));
        StreamedAnswer withReasoning = new StreamedAnswer(1, 1_000);
        withReasoning.add(chunk(0, "{\"content\":\"A\",\"reasoning\":\"because\"}", "\"stop\""));
        withReasoning.add(new ChatStreamEvent.Usage(USAGE));

        assertThat(unfinished.completion(JSON)).isNull();
        assertThat(large.completion(JSON)).isNull();
        assertThat(oneOfTwo.completion(JSON)).as("n=2, one choice seen").isNull();
        assertThat(withLogprobs.completion(JSON)).isNull();
        assertThat(withReasoning.completion(JSON)).isNull();
    }

    @Test
    void onlyWhatAStreamCarriesIsReplayed() {
        assertThat(StreamedAnswer.replayable((ObjectNode) JSON.readTree("""
                {"choices":[{"index":0,"message":{"role":"assistant","content":"Hi","refusal":null,"annotations":[]},
                 "logprobs":null,"finish_reason":"stop"}]}"""))).as("OpenAI's empty members").isTrue();
        assertThat(StreamedAnswer.replayable((ObjectNode) JSON.readTree("""
                {"choices":[{"index":0,"message":{"role":"assistant","content":"Hi"},
                 "logprobs":{"content":[{"token":"Hi","logprob":-0.1}]},"finish_reason":"stop"}]}"""))).isFalse();
        assertThat(StreamedAnswer.replayable((ObjectNode) JSON.readTree("""
                {"choices":[{"index":0,"message":{"role":"assistant","content":"Hi","reasoning":"because"},
                 "finish_reason":"stop"}]}"""))).isFalse();
    }

    @Test
    void aKeptAnswerIsReplayedAsAChunkOfEverythingAndOneOfItsFinishThenItsUsage() {
        ObjectNode kept = (ObjectNode) JSON.readTree("""
                {"id":"chatcmpl-1","object":"chat.completion","created":5,"model":"gpt-4o-mini","choices":[
                 {"index":0,"message":{"role":"assistant","content":null,"tool_calls":[{"id":"call_1","type":"function",
                  "function":{"name":"weather","arguments":"{\\"city\\":\\"Paris\\"}"}}]},"finish_reason":"tool_calls"}]}""");

        List<ChatStreamEvent> events = StreamedAnswer.replay(kept, USAGE, null, JSON).collectList().block();

        assertThat(events).hasSize(3);
        assertThat(events.get(0)).as("usage first, as Anthropic's stream gives it").isEqualTo(
                new ChatStreamEvent.Usage(USAGE));
        ObjectNode first = ((ChatStreamEvent.Chunk) events.get(1)).chunk();
        assertThat(first.at("/choices/0/delta/tool_calls/0/index").asInt()).isZero();
        assertThat(first.at("/choices/0/delta/tool_calls/0/function/arguments").stringValue())
            .isEqualTo("{\"city\":\"Paris\"}");
        assertThat(first.at("/choices/0/finish_reason").isNull()).isTrue();
        assertThat(((ChatStreamEvent.Chunk) events.get(2)).finishReason()).isEqualTo("tool_calls");
    }

    /** The provider's system_fingerprint goes with the answer both ways: a hit shows it, as a fresh call would. */
    @Test
    void theProvidersSystemFingerprintIsKeptAndReplayed() {
        StreamedAnswer answer = new StreamedAnswer(1, 1_000);
        answer.add(new ChatStreamEvent.Chunk((ObjectNode) JSON.readTree("{\"id\":\"c\",\"object\":"
                + "\"chat.completion.chunk\",\"created\":1,\"model\":\"m\",\"system_fingerprint\":\"fp_x\","
                + "\"choices\":[{\"index\":0,\"delta\":{\"content\":\"A\"},\"finish_reason\":\"stop\"}]}")));
        answer.add(new ChatStreamEvent.Usage(USAGE));

        ChatCompletion whole = answer.completion(JSON);

        assertThat(whole).isNotNull();
        assertThat(whole.body().path("system_fingerprint").stringValue()).isEqualTo("fp_x");
        List<ChatStreamEvent> replayed = StreamedAnswer.replay(whole.body(), USAGE, null, JSON).collectList().block();
        assertThat(replayed).filteredOn(ChatStreamEvent.Chunk.class::isInstance)
            .allSatisfy(event -> assertThat(((ChatStreamEvent.Chunk) event).chunk().path("system_fingerprint")
                .stringValue()).isEqualTo("fp_x"));
    }

    private static ChatStreamEvent.Chunk chunk(int index, String delta, String finishReason) {
        return new ChatStreamEvent.Chunk((ObjectNode) JSON.readTree("{\"id\":\"c\",\"object\":\"chat.completion.chunk\","
                + "\"created\":1,\"model\":\"m\",\"choices\":[{\"index\":" + index + ",\"delta\":" + delta
                + ",\"finish_reason\":" + finishReason + "}]}"));
    }

}
