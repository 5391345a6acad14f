package dev.tollgate.proxy;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.test.StepVerifier;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

import dev.tollgate.provider.ChatStreamEvent;
import dev.tollgate.provider.TokenUsage;
import dev.tollgate.testsupport.Fixtures;
import dev.tollgate.testsupport.SseText;

import static org.assertj.core.api.Assertions.assertThat;

class MessagesStreamTranslatorTests {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    @Test
    void aRecordedOpenAiTextStreamBecomesAnthropicEventsInOrder() {
        List<Event> events = translate(openAiEvents("openai/stream-text-usage.sse"));

        assertThat(events).extracting(Event::name).containsExactly("message_start", "content_block_start",
                "content_block_delta", "content_block_stop", "message_delta", "message_stop");
        assertThat(events).allSatisfy(event -> assertThat(event.data().path("type").stringValue()).isEqualTo(event.name()));
        JsonNode message = events.get(0).data().path("message");
        assertThat(message.path("id").stringValue()).isEqualTo("gen-1");
        assertThat(message.path("model").stringValue()).isEqualTo("openai/gpt-4o-mini");
        assertThat(message.path("content").isEmpty()).isTrue();
        assertThat(events.get(1).data()).isEqualTo(JSON.readTree("""
                {"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}"""));
        assertThat(events.get(2).data()).isEqualTo(JSON.readTree("""
                {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"{\\""}}"""));
        assertThat(events.get(4).data()).isEqualTo(JSON.readTree("""
                {"type":"message_delta","delta":{"stop_reason":"max_tokens","stop_sequence":null},
                 "usage":{"input_tokens":79,"cache_creation_input_tokens":0,"cache_read_input_tokens":0,
                          "output_tokens":1}}"""));
    }

    @Test
    void aRecordedOpenAiToolCallStreamBecomesAToolUseBlockWithJsonDeltas() {
        List<Event> events = translate(openAiEvents("openai/stream-tool-call.sse"));

        assertThat(events.get(1).data()).isEqualTo(JSON.readTree("""
                {"type":"content_block_start","index":0,"content_block":{"type":"tool_use",
                 "id":"call_4XzlGBLtUe9dy3GVNV4jhq7h","name":"get_weather","input":{}}}"""));
        String input = events.stream().filter(event -> event.name().equals("content_block_delta"))
            .peek(event -> assertThat(event.data().path("index").asInt()).isZero())
            .map(event -> event.data().path("delta").path("partial_json").stringValue())
            .reduce("", String::concat);
        assertThat(JSON.readTree(input)).isEqualTo(JSON.readTree("{\"city\":\"New York City\"}"));
        Event delta = events.get(events.size() - 2);
        assertThat(delta.data().path("delta").path("stop_reason").stringValue()).isEqualTo("tool_use");
        assertThat(delta.data().path("usage").path("output_tokens").asInt()).isEqualTo(16);
    }

    @Test
    void textThenTwoToolCallsAreThreeBlocksWithTheirOwnIndexes() {
        List<ChatStreamEvent> chunks = List.of(
                chunk("{\"role\":\"assistant\",\"content\":\"Checking.\"}", null),
                chunk("{\"tool_calls\":[{\"index\":0,\"id\":\"a\",\"type\":\"function\",\"function\":{\"name\":\"f\",\"arguments\":\"{}\"}}]}", null),
                chunk("{\"tool_calls\":[{\"index\":1,\"id\":\"b\",\"type\":\"function\",\"function\":{\"name\":\"g\",\"arguments\":\"\"}}]}", null),
                chunk("{\"tool_calls\":[{\"index\":1,\"function\":{\"arguments\":\"{\\\"x\\\":1}\"}}]}", null),
                chunk("{}", "tool_calls"));

        List<Event> events = translate(chunks);

        assertThat(events).extracting(event -> event.name() + "@" + event.data().path("index").asInt(-1))
            .containsExactly("message_start@-1", "content_block_start@0", "content_block_delta@0",
                    "content_block_stop@0", "content_block_start@1", "content_block_delta@1", "content_block_stop@1",
                    "content_block_start@2", "content_block_delta@2", "content_block_stop@2", "message_delta@-1",
                    "message_stop@-1");
        assertThat(events.get(8).data().path("delta").path("partial_json").stringValue()).isEqualTo("{\"x\":1}");
    }

    /**
     * Servers that number every call 0, or give no index, still make one tool_use block per call: the second call's
     * arguments used to be appended to the first's ({"x":1}{"y":2}) and its id and name lost.
     */
    @Test
    void callsWithoutTheirOwnIndexAreBlocksOfTheirOwn() {
        List<Event> events = translate(List.of(
                chunk("{\"tool_calls\":[{\"index\":0,\"id\":\"a\",\"type\":\"function\",\"function\":{\"name\":\"f\",\"arguments\":\"{\\\"x\\\":1}\"}}]}", null),
                chunk("{\"tool_calls\":[{\"index\":0,\"id\":\"b\",\"type\":\"function\",\"function\":{\"name\":\"g\",\"arguments\":\"{\\\"y\\\":2}\"}}]}", null),
                chunk("{\"tool_calls\":[{\"id\":\"c\",\"type\":\"function\",\"function\":{\"name\":\"h\",\"arguments\":\"{}\"}},"
                        + "{\"id\":\"d\",\"type\":\"function\",\"function\":{\"name\":\"k\",\"arguments\":\"{}\"}}]}", null),
                chunk("{}", "tool_calls")));

        assertThat(events).filteredOn(event -> event.name().equals("content_block_start"))
            .extracting(event -> event.data().path("content_block").path("id").stringValue() + ":"
                    + event.data().path("content_block").path("name").stringValue())
            .containsExactly("a:f", "b:g", "c:h", "d:k");
        assertThat(events).filteredOn(event -> event.name().equals("content_block_delta"))
            .extracting(event -> event.data().path("delta").path("partial_json").stringValue())
            .containsExactly("{\"x\":1}", "{\"y\":2}", "{}", "{}");
    }

    /** OpenAI streams a call of the tool tool_choice named with finish_reason "stop". */
    @Test
    void aStreamThatCalledAToolStoppedForIt() {
        List<Event> events = translate(List.of(
                chunk("{\"tool_calls\":[{\"index\":0,\"id\":\"a\",\"type\":\"function\",\"function\":{\"name\":\"f\",\"arguments\":\"{}\"}}]}", null),
                chunk("{}", "stop")));

        assertThat(events.get(events.size() - 2).data().path("delta").path("stop_reason").stringValue())
            .isEqualTo("tool_use");
    }

    @Test
    void usageReportedBeforeTheFirstChunkIsInMessageStartAndTheLastOneInMessageDelta() {
        List<ChatStreamEvent> stream = List.of(new ChatStreamEvent.Usage(new TokenUsage(2312, 1, 2000, 300, 0)),
                chunk("{\"role\":\"assistant\",\"content\":\"\"}", null), chunk("{\"content\":\"ok\"}", null),
                chunk("{}", "stop"), new ChatStreamEvent.Usage(new TokenUsage(2312, 40, 2000, 300, 0)));

        List<Event> events = translate(stream);

        assertThat(events.get(0).data().path("message").path("usage")).isEqualTo(JSON.readTree("""
                {"input_tokens":12,"cache_creation_input_tokens":300,"cache_read_input_tokens":2000,
                 "cache_creation":{"ephemeral_5m_input_tokens":300,"ephemeral_1h_input_tokens":0},
                 "output_tokens":1}"""));
        assertThat(events.get(events.size() - 2).data().path("usage").path("output_tokens").asInt()).isEqualTo(40);
        assertThat(events.get(events.size() - 2).data().path("delta").path("stop_reason").stringValue())
            .isEqualTo("end_turn");
    }

    @Test
    void anEmptyStreamStillIsAWholeMessage() {
        assertThat(translate(List.of())).extracting(Event::name)
            .containsExactly("message_start", "message_delta", "message_stop");
    }

    @Test
    void framesAreWrittenAsAnthropicServerSentEvents() {
        StepVerifier.create(MessagesStreamTranslator.translate(Flux.empty(), JSON, "gen-1", () -> "m")
                .map(frame -> new String(frame, StandardCharsets.UTF_8)))
            .assertNext(frame -> assertThat(frame).startsWith("event: message_start\ndata: {").endsWith("}\n\n"))
            .expectNextCount(1)
            .expectNext("event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n")
            .verifyComplete();
    }

    private static List<Event> translate(List<ChatStreamEvent> events) {
        List<byte[]> frames = MessagesStreamTranslator
            .translate(Flux.fromIterable(events), JSON, "gen-1", () -> "openai/gpt-4o-mini")
            .collectList().block();
        List<Event> parsed = new ArrayList<>();
        for (byte[] frame : frames) {
            String[] lines = new String(frame, StandardCharsets.UTF_8).split("\n");
            assertThat(lines[0]).startsWith("event: ");
            assertThat(lines[1]).startsWith("data: ");
            parsed.add(new Event(lines[0].substring(7), JSON.readTree(lines[1].substring(6))));
        }
        return parsed;
    }

    /** A recorded OpenAI stream as the pipeline hands it over: chunks with choices, and usage apart. */
    private static List<ChatStreamEvent> openAiEvents(String fixture) {
        List<ChatStreamEvent> events = new ArrayList<>();
        for (String data : SseText.dataOf(Fixtures.text(fixture))) {
            if (data.equals("[DONE]")) {
                continue;
            }
            ObjectNode chunk = (ObjectNode) JSON.readTree(data);
            JsonNode usage = chunk.remove("usage");
            if (!chunk.path("choices").isEmpty()) {
                chunk.put("id", "gen-1");
                events.add(new ChatStreamEvent.Chunk(chunk));
            }
            if (usage != null) {
                events.add(new ChatStreamEvent.Usage(TokenUsage.of(usage.path("prompt_tokens").asLong(),
                        usage.path("completion_tokens").asLong())));
            }
        }
        return events;
    }

    private static ChatStreamEvent chunk(String delta, String finishReason) {
        ObjectNode chunk = (ObjectNode) JSON.readTree("{\"id\":\"gen-1\",\"object\":\"chat.completion.chunk\","
                + "\"choices\":[{\"index\":0,\"delta\":" + delta + ",\"finish_reason\":null}]}");
        if (finishReason != null) {
            ((ObjectNode) chunk.path("choices").get(0)).put("finish_reason", finishReason);
        }
        return new ChatStreamEvent.Chunk(chunk);
    }

    private record Event(String name, JsonNode data) {
    }

}
