package dev.tollgate.provider.gemini;

import java.nio.charset.StandardCharsets;
import java.util.List;

import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.test.StepVerifier;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import dev.tollgate.provider.ChatStreamEvent;
import dev.tollgate.provider.TokenUsage;
import dev.tollgate.provider.UpstreamException;
import dev.tollgate.testsupport.Fixtures;
import dev.tollgate.testsupport.SseText;

import static org.assertj.core.api.Assertions.assertThat;

class GeminiStreamDecoderTests {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    @Test
    void theRecordedTextStreamBecomesOpenAiChunksWithTheLastUsageBilled() {
        StepVerifier.create(decode(SseText.dataOf(Fixtures.text("gemini/stream-text.sse"))))
            // Each event's usage before its chunk: the prompt's count is known when the first chunk opens a message.
            .assertNext(event -> assertThat(usage(event)).isEqualTo(TokenUsage.of(7, 0)))
            .assertNext(event -> {
                JsonNode chunk = chunk(event);
                assertThat(chunk.path("object").stringValue()).isEqualTo("chat.completion.chunk");
                assertThat(chunk.path("model").stringValue()).isEqualTo("gemini-2.0-flash");
                assertThat(chunk.at("/choices/0/index").asInt()).isZero();
                assertThat(chunk.at("/choices/0/delta/role").stringValue()).isEqualTo("assistant");
                assertThat(chunk.at("/choices/0/delta/content").stringValue()).isEqualTo("The");
                assertThat(chunk.at("/choices/0/finish_reason").isNull()).isTrue();
            })
            .assertNext(event -> assertThat(usage(event)).isEqualTo(TokenUsage.of(7, 0)))
            .assertNext(event -> {
                assertThat(chunk(event).at("/choices/0/delta/role").isMissingNode()).as("role only once").isTrue();
                assertThat(chunk(event).at("/choices/0/delta/content").stringValue()).isEqualTo(" capital of Wyoming");
            })
            .assertNext(event -> assertThat(usage(event)).isEqualTo(TokenUsage.of(7, 10)))
            .assertNext(event -> {
                assertThat(chunk(event).at("/choices/0/delta/content").stringValue()).isEqualTo(" is **Cheyenne**.\n");
                assertThat(chunk(event).at("/choices/0/finish_reason").stringValue()).isEqualTo("stop");
            })
            .verifyComplete();
    }

    @Test
    void thoughtSummariesStreamAsReasoningAndThoughtTokensCountAsCompletion() {
        List<ChatStreamEvent> events = decode(SseText.dataOf(Fixtures.text("gemini/stream-thinking.sse")))
            .collectList().block();

        List<JsonNode> chunks = events.stream().filter(ChatStreamEvent.Chunk.class::isInstance)
            .map(GeminiStreamDecoderTests::chunk).toList();
        assertThat(chunks).hasSize(5);
        assertThat(chunks.get(0).at("/choices/0/delta/reasoning").stringValue()).startsWith("**Exploring Sky Color**");
        assertThat(chunks.get(0).at("/choices/0/delta/content").isMissingNode()).isTrue();
        assertThat(chunks.get(0).path("id").stringValue()).isEqualTo("0J-HaJetAqv0jrEPwu-tsQ0");
        assertThat(chunks.get(3).at("/choices/0/delta/content").stringValue()).startsWith("The sky is blue");
        assertThat(chunks.get(4).at("/choices/0/finish_reason").stringValue()).isEqualTo("stop");
        ChatStreamEvent last = events.stream().filter(ChatStreamEvent.Usage.class::isInstance)
            .reduce((earlier, later) -> later).orElseThrow();
        // 10 prompt, 48 candidates + 540 thoughts: totalTokenCount 598 = 10 + 588.
        assertThat(usage(last)).isEqualTo(new TokenUsage(10, 588, 0, 0, 540));
    }

    @Test
    void aStreamedFunctionCallIsOneToolCallDeltaAndFinishesWithToolCalls() {
        // Shape from Gemini's API reference (a FunctionCall part); no public streamed recording was found.
        List<String> data = List.of("""
                {"candidates":[{"content":{"role":"model","parts":[{"text":"Checking."}]}}],
                 "usageMetadata":{"promptTokenCount":30,"totalTokenCount":30}}""", """
                {"candidates":[{"content":{"role":"model","parts":[
                  {"functionCall":{"name":"get_weather","args":{"city":"Paris"}}},
                  {"functionCall":{"name":"get_time","args":{}}}]},"finishReason":"STOP"}],
                 "usageMetadata":{"promptTokenCount":30,"candidatesTokenCount":15,"totalTokenCount":45}}""");

        List<ChatStreamEvent> events = decode(data).collectList().block();

        JsonNode calls = chunk(events.get(3)).at("/choices/0/delta/tool_calls");
        assertThat(calls).hasSize(2);
        assertThat(calls.at("/0/index").asInt()).isZero();
        assertThat(calls.at("/0/id").stringValue()).startsWith("call_");
        assertThat(calls.at("/0/function/name").stringValue()).isEqualTo("get_weather");
        assertThat(calls.at("/0/function/arguments").stringValue()).isEqualTo("{\"city\":\"Paris\"}");
        assertThat(calls.at("/1/index").asInt()).isEqualTo(1);
        assertThat(chunk(events.get(3)).at("/choices/0/finish_reason").stringValue()).isEqualTo("tool_calls");
        assertThat(usage(events.get(2))).isEqualTo(TokenUsage.of(30, 15));
    }

    @Test
    void aStreamThatEndsBeforeItsFinishReasonFailsAfterWhatCame() {
        List<String> data = SseText.dataOf(Fixtures.text("gemini/stream-text.sse")).subList(0, 2);

        StepVerifier.create(decode(data))
            .expectNextCount(4)
            .expectErrorSatisfies(error -> assertThat(error).isInstanceOfSatisfying(UpstreamException.class,
                    upstream -> assertThat(upstream.code()).isEqualTo("upstream_malformed_response")))
            .verify();
    }

    /** With two candidates asked for, the stream has ended only once both finished: one was taken for the whole. */
    @Test
    void withTwoCandidatesAStreamEndingAfterTheFirstFinishedIsCutShort() {
        String first = "{\"candidates\":[{\"content\":{\"parts\":[{\"text\":\"A\"}],\"role\":\"model\"},"
                + "\"finishReason\":\"STOP\",\"index\":0},{\"content\":{\"parts\":[{\"text\":\"B\"}],"
                + "\"role\":\"model\"},\"index\":1}],\"modelVersion\":\"gemini-2.5-flash\"}";
        String second = "{\"candidates\":[{\"content\":{\"parts\":[{\"text\":\"C\"}],\"role\":\"model\"},"
                + "\"finishReason\":\"STOP\",\"index\":1}],\"modelVersion\":\"gemini-2.5-flash\"}";

        StepVerifier.create(twoCandidates().decode(bytes(List.of(first))))
            .expectNextCount(1)
            .expectErrorSatisfies(error -> assertThat(error).isInstanceOfSatisfying(UpstreamException.class,
                    upstream -> assertThat(upstream.code()).isEqualTo("upstream_malformed_response")))
            .verify();
        StepVerifier.create(twoCandidates().decode(bytes(List.of(first, second)))).expectNextCount(2).verifyComplete();
    }

    private static GeminiStreamDecoder twoCandidates() {
        return new GeminiStreamDecoder(JSON, "google", new GeminiResponseMapper(JSON, "google"),
                new GeminiErrorMapper(JSON, "google"), 2);
    }

    @Test
    void anErrorEventEndsTheStreamWithTheMappedError() {
        List<String> data = List.of(SseText.dataOf(Fixtures.text("gemini/stream-text.sse")).get(0), """
                {"error":{"code":503,"message":"The model is overloaded. Please try again later.",
                 "status":"UNAVAILABLE"}}""");

        StepVerifier.create(decode(data))
            .expectNextCount(2)
            .expectErrorSatisfies(error -> assertThat(error).isInstanceOfSatisfying(UpstreamException.class,
                    upstream -> {
                        assertThat(upstream.status().value()).isEqualTo(503);
                        assertThat(upstream.getMessage()).contains("overloaded");
                    }))
            .verify();
    }

    @Test
    void aPromptBlockedAtTheStartFailsBeforeAnyChunk() {
        StepVerifier.create(decode(List.of("""
                {"promptFeedback":{"blockReason":"PROHIBITED_CONTENT"},
                 "usageMetadata":{"promptTokenCount":12,"totalTokenCount":12}}""")))
            .expectErrorSatisfies(error -> assertThat(error).isInstanceOfSatisfying(UpstreamException.class,
                    upstream -> {
                        assertThat(upstream.status().value()).isEqualTo(400);
                        assertThat(upstream.code()).isEqualTo("content_filter");
                    }))
            .verify();
    }

    @Test
    void eachStreamHasItsOwnState() {
        List<String> data = SseText.dataOf(Fixtures.text("gemini/stream-text.sse"));
        GeminiResponseMapper responses = new GeminiResponseMapper(JSON, "google");
        GeminiStreamDecoder first = new GeminiStreamDecoder(JSON, "google", responses,
                new GeminiErrorMapper(JSON, "google"));
        first.decode(bytes(data)).blockLast();

        JsonNode firstChunkOfSecond = chunk(decode(data).filter(ChatStreamEvent.Chunk.class::isInstance).blockFirst());

        assertThat(firstChunkOfSecond.at("/choices/0/delta/role").stringValue()).isEqualTo("assistant");
    }

    private static Flux<ChatStreamEvent> decode(List<String> data) {
        GeminiStreamDecoder decoder = new GeminiStreamDecoder(JSON, "google", new GeminiResponseMapper(JSON, "google"),
                new GeminiErrorMapper(JSON, "google"));
        return decoder.decode(bytes(data));
    }

    private static Flux<byte[]> bytes(List<String> data) {
        return Flux.fromIterable(data).map(text -> text.getBytes(StandardCharsets.UTF_8));
    }

    private static JsonNode chunk(ChatStreamEvent event) {
        assertThat(event).isInstanceOf(ChatStreamEvent.Chunk.class);
        return ((ChatStreamEvent.Chunk) event).chunk();
    }

    private static TokenUsage usage(ChatStreamEvent event) {
        assertThat(event).isInstanceOf(ChatStreamEvent.Usage.class);
        return ((ChatStreamEvent.Usage) event).usage();
    }

}
