package dev.tollgate.provider.anthropic;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.test.StepVerifier;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import dev.tollgate.provider.ChatStreamEvent;
import dev.tollgate.provider.SseEvent;
import dev.tollgate.provider.TokenUsage;
import dev.tollgate.provider.UpstreamException;
import dev.tollgate.testsupport.Fixtures;
import dev.tollgate.testsupport.SseText;

import static org.assertj.core.api.Assertions.assertThat;

class AnthropicStreamDecoderTests {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private static final Clock CLOCK = Clock.fixed(Instant.ofEpochSecond(1_760_000_000), ZoneOffset.UTC);

    @Test
    void aTextStreamBecomesARoleChunkContentChunksAFinishChunkAndUsage() {
        StepVerifier.create(decode(Fixtures.text("anthropic/stream-text.sse")))
            .expectNext(usage(TokenUsage.of(11, 1)))
            .assertNext(event -> {
                JsonNode chunk = chunk(event);
                assertThat(chunk.path("id").stringValue()).isEqualTo("msg_4QpJur2dWWDjF6C758FbBw5vm12BaVipnK");
                assertThat(chunk.path("object").stringValue()).isEqualTo("chat.completion.chunk");
                assertThat(chunk.path("created").asLong()).isEqualTo(1_760_000_000L);
                assertThat(chunk.path("model").stringValue()).isEqualTo("claude-3-opus-latest");
                assertThat(delta(event)).isEqualTo(JSON.readTree("{\"role\":\"assistant\",\"content\":\"\"}"));
            })
            .assertNext(event -> assertThat(delta(event).path("content").stringValue()).isEqualTo("Hello"))
            .assertNext(event -> assertThat(delta(event).path("content").stringValue()).isEqualTo(" there"))
            .assertNext(event -> assertThat(delta(event).path("content").stringValue()).isEqualTo("!"))
            .assertNext(event -> {
                assertThat(delta(event).isEmpty()).isTrue();
                assertThat(finishReason(event)).isEqualTo("stop");
            })
            .expectNext(usage(TokenUsage.of(11, 6)))
            .verifyComplete();
    }

    /**
     * The opening (usage, role) waits for the answer's first block, so an error right after message_start is retried;
     * but not for text: a thinking block starts the answer too, and a client that leaves during it has been answered.
     */
    @Test
    void theOpeningLeavesWithTheFirstContentBlockWhateverItsKind() {
        AnthropicStreamDecoder decoder = new AnthropicStreamDecoder(JSON, "anthropic", CLOCK);
        String start = SseText.frames(Fixtures.text("anthropic/stream-text.sse")).get(0);
        String data = start.substring(start.indexOf("data: ") + 6).strip();

        assertThat(decoder.decode("message_start", data.getBytes(java.nio.charset.StandardCharsets.UTF_8))).isEmpty();
        assertThat(decoder.decode("ping", "{\"type\":\"ping\"}".getBytes(java.nio.charset.StandardCharsets.UTF_8)))
            .isEmpty();
        List<ChatStreamEvent> opened = decoder.decode("content_block_start", ("{\"type\":\"content_block_start\","
                + "\"index\":0,\"content_block\":{\"type\":\"thinking\",\"thinking\":\"\"}}")
            .getBytes(java.nio.charset.StandardCharsets.UTF_8));
        assertThat(opened).hasSize(2);
        assertThat(opened.get(0)).isEqualTo(usage(TokenUsage.of(11, 1)));
        assertThat(delta(opened.get(1)).path("role").stringValue()).isEqualTo("assistant");
    }

    @Test
    void aToolUseBlockBecomesAToolCallWhoseArgumentsArriveAsFragments() {
        List<ChatStreamEvent> events = decode(Fixtures.text("anthropic/stream-tool-use.sse")).collectList().block();

        List<JsonNode> toolCalls = new ArrayList<>();
        StringBuilder text = new StringBuilder();
        for (ChatStreamEvent event : events) {
            if (event instanceof ChatStreamEvent.Chunk) {
                delta(event).path("tool_calls").forEach(toolCalls::add);
                text.append(delta(event).path("content").asString(""));
            }
        }
        assertThat(text.toString()).isEqualTo("I'll check the current weather in Paris for you.");
        assertThat(toolCalls.get(0)).isEqualTo(JSON.readTree("""
                {"index":0,"id":"toolu_01NRLabsLyVHZPKxbKvkfSMn","type":"function",
                 "function":{"name":"get_weather","arguments":""}}"""));
        assertThat(toolCalls.subList(1, toolCalls.size()))
            .as("the empty first fragment is skipped, the rest keep the tool call's index")
            .hasSize(4)
            .allSatisfy(call -> {
                assertThat(call.path("index").asInt()).isZero();
                assertThat(call.has("id")).isFalse();
            });
        String arguments = toolCalls.stream().map(call -> call.path("function").path("arguments").asString(""))
            .reduce("", String::concat);
        assertThat(JSON.readTree(arguments)).isEqualTo(JSON.readTree("{\"location\": \"Paris\"}"));
        assertThat(finishReason(events.get(events.size() - 2))).isEqualTo("tool_calls");
        assertThat(events.get(events.size() - 1)).isEqualTo(usage(TokenUsage.of(377, 65)));
    }

    /** Claude streams a call of a tool without parameters as one empty fragment: OpenAI's clients parse "{}". */
    @Test
    void aToolCallWithoutInputHasTheArgumentsOfAnEmptyObject() {
        List<ChatStreamEvent> events = decode("""
                event: message_start
                data: {"type":"message_start","message":{"id":"msg_1","type":"message","role":"assistant","model":"claude-sonnet-4-5","content":[],"stop_reason":null,"usage":{"input_tokens":20,"output_tokens":1}}}

                event: content_block_start
                data: {"type":"content_block_start","index":0,"content_block":{"type":"tool_use","id":"toolu_1","name":"get_time","input":{}}}

                event: content_block_delta
                data: {"type":"content_block_delta","index":0,"delta":{"type":"input_json_delta","partial_json":""}}

                event: content_block_stop
                data: {"type":"content_block_stop","index":0}

                event: message_delta
                data: {"type":"message_delta","delta":{"stop_reason":"tool_use","stop_sequence":null},"usage":{"output_tokens":12}}

                event: message_stop
                data: {"type":"message_stop"}

                """).collectList().block();

        String arguments = events.stream().filter(ChatStreamEvent.Chunk.class::isInstance)
            .flatMap(event -> delta(event).path("tool_calls").valueStream())
            .map(call -> call.path("function").path("arguments").asString(""))
            .reduce("", String::concat);
        assertThat(arguments).isEqualTo("{}");
        assertThat(toolIndexes(events)).containsOnly(0);
    }

    /**
     * A server speaking Anthropic's format that writes zeros for the input counts in its last report (as some
     * compatible servers do) leaves the prompt's count as message_start gave it: replaced, it was billed as nothing.
     */
    @Test
    void aLastReportOfZeroInputTokensDoesNotEraseThePrompt() {
        List<ChatStreamEvent> events = decode("""
                event: message_start
                data: {"type":"message_start","message":{"id":"msg_2","type":"message","role":"assistant","model":"claude-sonnet-4-5","content":[],"stop_reason":null,"usage":{"input_tokens":500,"cache_read_input_tokens":2000,"output_tokens":1}}}

                event: content_block_start
                data: {"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}

                event: content_block_delta
                data: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hi"}}

                event: content_block_stop
                data: {"type":"content_block_stop","index":0}

                event: message_delta
                data: {"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null},"usage":{"input_tokens":0,"cache_read_input_tokens":0,"output_tokens":40}}

                event: message_stop
                data: {"type":"message_stop"}

                """).collectList().block();

        assertThat(events.get(events.size() - 1)).isEqualTo(usage(new TokenUsage(2500, 40, 2000, 0, 0)));
    }

    /** After message_stop the answer is whole: an error event after it does not turn it into a broken stream. */
    @Test
    void anErrorAfterMessageStopBreaksNothing() {
        List<ChatStreamEvent> events = decode(Fixtures.text("anthropic/stream-text.sse") + "\n" + """
                event: error
                data: {"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}

                """).collectList().block();

        assertThat(events.get(events.size() - 1)).isEqualTo(usage(TokenUsage.of(11, 6)));
    }

    @Test
    void theLiveStreamWithPaddedJsonDecodesAndItsCumulativeUsageIsNotAddedTwice() {
        List<ChatStreamEvent> events = decode(Fixtures.text("anthropic/stream-live.sse")).collectList().block();

        String text = events.stream().filter(ChatStreamEvent.Chunk.class::isInstance)
            .map(event -> delta(event).path("content").asString(""))
            .reduce("", String::concat);
        assertThat(text).isEqualTo("[12345,67890]");
        assertThat(events.get(0)).isEqualTo(usage(TokenUsage.of(135, 1)));
        assertThat(events.get(events.size() - 1)).isEqualTo(usage(TokenUsage.of(135, 10)));
    }

    @Test
    void cacheCountsFromMessageStartSurviveAMessageDeltaThatOmitsThem() {
        String sse = """
                event: message_start
                data: {"type":"message_start","message":{"id":"msg_1","type":"message","role":"assistant","model":"c","content":[],"usage":{"input_tokens":12,"cache_creation_input_tokens":300,"cache_read_input_tokens":2000,"output_tokens":1}}}

                event: message_delta
                data: {"type":"message_delta","delta":{"stop_reason":"end_turn"},"usage":{"output_tokens":40}}

                event: message_stop
                data: {"type":"message_stop"}

                """;

        List<ChatStreamEvent> events = decode(sse).collectList().block();

        assertThat(events.get(0)).isEqualTo(usage(new TokenUsage(2312, 1, 2000, 300, 0)));
        assertThat(events.get(events.size() - 1)).isEqualTo(usage(new TokenUsage(2312, 40, 2000, 300, 0)));
    }

    @Test
    void anErrorEventEndsTheStreamWithTheMappedError() {
        List<String> frames = SseText.frames(Fixtures.text("anthropic/stream-text.sse"));
        String cut = String.join("", frames.subList(0, 4)) + Fixtures.text("anthropic/stream-error-event.sse");

        StepVerifier.create(decode(cut))
            .expectNextCount(3)
            .expectErrorSatisfies(error -> {
                assertThat(error).isInstanceOf(UpstreamException.class);
                assertThat(((UpstreamException) error).status().value()).isEqualTo(503);
                assertThat(error.getMessage()).contains("Overloaded");
            })
            .verify();
    }

    @Test
    void aStreamThatEndsBeforeMessageStopIsAnError() {
        List<String> frames = SseText.frames(Fixtures.text("anthropic/stream-text.sse"));

        StepVerifier.create(decode(String.join("", frames.subList(0, 5))))
            .expectNextCount(4)
            .expectErrorSatisfies(error -> assertThat(error.getMessage()).contains("ended before message_stop"))
            .verify();
    }

    @Test
    void eachSubscriptionDecodesWithItsOwnState() {
        Flux<ChatStreamEvent> events = decode(Fixtures.text("anthropic/stream-tool-use.sse"));

        List<ChatStreamEvent> first = events.collectList().block();
        List<ChatStreamEvent> second = events.collectList().block();

        assertThat(second).hasSameSizeAs(first);
        assertThat(toolIndexes(second)).containsOnly(0);
    }

    /** Parses SSE text into events the way {@code UpstreamHttp} hands them over, then decodes them. */
    static Flux<ChatStreamEvent> decode(String sse) {
        List<SseEvent> events = new ArrayList<>();
        for (String frame : SseText.frames(sse)) {
            String name = null;
            byte[] data = null;
            for (String line : frame.split("\n")) {
                if (line.startsWith("event:")) {
                    name = line.substring(6).trim();
                }
                else if (line.startsWith("data:")) {
                    data = line.substring(5).trim().getBytes(StandardCharsets.UTF_8);
                }
            }
            events.add(new SseEvent(name, data));
        }
        return AnthropicStreamDecoder.decode(Flux.fromIterable(events), JSON, "anthropic", CLOCK);
    }

    private static List<Integer> toolIndexes(List<ChatStreamEvent> events) {
        List<Integer> indexes = new ArrayList<>();
        events.stream().filter(ChatStreamEvent.Chunk.class::isInstance)
            .forEach(event -> delta(event).path("tool_calls").forEach(call -> indexes.add(call.path("index").asInt())));
        return indexes;
    }

    private static ChatStreamEvent usage(TokenUsage usage) {
        return new ChatStreamEvent.Usage(usage);
    }

    private static JsonNode chunk(ChatStreamEvent event) {
        assertThat(event).isInstanceOf(ChatStreamEvent.Chunk.class);
        return ((ChatStreamEvent.Chunk) event).chunk();
    }

    private static JsonNode delta(ChatStreamEvent event) {
        return chunk(event).path("choices").get(0).path("delta");
    }

    private static String finishReason(ChatStreamEvent event) {
        return chunk(event).path("choices").get(0).path("finish_reason").asString(null);
    }

}
