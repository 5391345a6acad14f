package dev.tollgate.provider.openai;

import java.nio.charset.StandardCharsets;
import java.util.List;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

import dev.tollgate.provider.ChatCall;
import dev.tollgate.provider.ChatStreamEvent;
import dev.tollgate.provider.TokenUsage;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The OpenAI-compatible family's stream differences, each handled by the one OpenAI decoder without naming a
 * provider: usage on the final empty-choices chunk (OpenAI), on the last content chunk (Mistral, vLLM without
 * {@code include_usage}), on every chunk (vLLM's {@code continuous_usage_stats}), {@code "usage": null} on content
 * chunks (allowed by OpenAI's spec); and servers that reject {@code stream_options}.
 */
class OpenAiCompatibleQuirksTests {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final OpenAiStreamDecoder decoder = new OpenAiStreamDecoder(JSON, "compatible");

    @Test
    void usageOnTheLastContentChunkIsSplitOffIntoItsOwnEvent() {
        List<ChatStreamEvent> events = decode("""
                {"id":"cmpl-1","object":"chat.completion.chunk","created":1711097175,"model":"mistral-small-latest",
                 "choices":[{"index":0,"delta":{"content":""},"finish_reason":"stop","logprobs":null}],
                 "usage":{"prompt_tokens":4,"total_tokens":36,"completion_tokens":32}}""");

        assertThat(events).hasSize(2);
        ObjectNode chunk = ((ChatStreamEvent.Chunk) events.get(0)).chunk();
        assertThat(chunk.has("usage")).isFalse();
        assertThat(chunk.at("/choices/0/finish_reason").stringValue()).isEqualTo("stop");
        assertThat(((ChatStreamEvent.Usage) events.get(1)).usage()).isEqualTo(TokenUsage.of(4, 32));
    }

    @Test
    void aNullUsageOnAContentChunkIsNoUsage() {
        List<ChatStreamEvent> events = decode("""
                {"id":"c","object":"chat.completion.chunk","created":1,"model":"m",
                 "choices":[{"index":0,"delta":{"content":"Hi"},"finish_reason":null}],"usage":null}""");

        assertThat(events).singleElement().isInstanceOfSatisfying(ChatStreamEvent.Chunk.class,
                chunk -> assertThat(chunk.chunk().has("usage")).isFalse());
    }

    @Test
    void usageOnEveryChunkIsReportedEachTimeSoTheLastOneIsBilled() {
        // vLLM with stream_options.continuous_usage_stats: cumulative usage on each chunk.
        List<ChatStreamEvent> first = decode("""
                {"id":"c","object":"chat.completion.chunk","created":1,"model":"llama",
                 "choices":[{"index":0,"delta":{"content":"Hel"},"finish_reason":null}],
                 "usage":{"prompt_tokens":5,"completion_tokens":1,"total_tokens":6}}""");
        List<ChatStreamEvent> second = decode("""
                {"id":"c","object":"chat.completion.chunk","created":1,"model":"llama",
                 "choices":[{"index":0,"delta":{"content":"lo"},"finish_reason":"stop"}],
                 "usage":{"prompt_tokens":5,"completion_tokens":2,"total_tokens":7}}""");

        assertThat(((ChatStreamEvent.Usage) first.get(1)).usage()).isEqualTo(TokenUsage.of(5, 1));
        assertThat(((ChatStreamEvent.Usage) second.get(1)).usage()).isEqualTo(TokenUsage.of(5, 2));
    }

    @Test
    void openAisFinalUsageChunkIsUsageOnly() {
        List<ChatStreamEvent> events = decode("""
                {"id":"c","object":"chat.completion.chunk","created":1,"model":"gpt-4o-mini","choices":[],
                 "usage":{"prompt_tokens":9,"completion_tokens":3,"total_tokens":12,
                 "prompt_tokens_details":{"cached_tokens":8},"completion_tokens_details":{"reasoning_tokens":1}}}""");

        assertThat(events).singleElement().isEqualTo(new ChatStreamEvent.Usage(new TokenUsage(9, 3, 8, 0, 1)));
    }

    @Test
    void aServerThatRejectsStreamOptionsIsNeverSentThemEvenWhenTheClientAsks() {
        ObjectNode request = (ObjectNode) JSON.readTree("""
                {"model":"mistral/mistral-small-latest","stream":true,"stream_options":{"include_usage":true},
                 "messages":[{"role":"user","content":"Hi"}]}""");

        ObjectNode withoutOptions = (ObjectNode) JSON.readTree(new OpenAiRequestMapper(JSON, false, true, false)
            .toBody(new ChatCall(request, "mistral-small-latest", true, null)));
        ObjectNode withOptions = (ObjectNode) JSON.readTree(new OpenAiRequestMapper(JSON, true, true, false)
            .toBody(new ChatCall(request, "mistral-small-latest", true, null)));

        assertThat(withoutOptions.has("stream_options")).isFalse();
        assertThat(withoutOptions.path("stream").asBoolean()).isTrue();
        assertThat(withOptions.at("/stream_options/include_usage").asBoolean()).isTrue();
        assertThat(request.has("stream_options")).as("the client's request is left alone").isTrue();
    }

    @Test
    void aServerWithoutMaxCompletionTokensGetsTheCapTheHoldCountedOnAsMaxTokens() {
        ObjectNode request = (ObjectNode) JSON.readTree("""
                {"model":"mistral/mistral-small-latest","max_tokens":900,"messages":[{"role":"user","content":"Hi"}],
                 "max_completion_tokens":40}""");

        ObjectNode renamed = (ObjectNode) JSON.readTree(new OpenAiRequestMapper(JSON, false, false, false)
            .toBody(new ChatCall(request, "mistral-small-latest", false, null)));
        ObjectNode kept = (ObjectNode) JSON.readTree(new OpenAiRequestMapper(JSON, false, true, false)
            .toBody(new ChatCall(request, "mistral-small-latest", false, null)));

        // max_completion_tokens is the cap ChatRequestReader holds credit for when both are sent.
        assertThat(renamed.path("max_tokens").asInt()).isEqualTo(40);
        assertThat(renamed.has("max_completion_tokens")).isFalse();
        assertThat(renamed.propertyNames()).containsExactly("model", "messages", "max_tokens");
        assertThat(kept.path("max_tokens").asInt()).isEqualTo(900);
        assertThat(kept.path("max_completion_tokens").asInt()).isEqualTo(40);
    }

    /** openai-python sends "max_completion_tokens": null for a caller's None; the cap held for is max_tokens then. */
    @Test
    void anEmptyMaxCompletionTokensLeavesTheClientsMaxTokensInPlace() {
        ObjectNode request = (ObjectNode) JSON.readTree("""
                {"model":"mistral/mistral-small-latest","max_tokens":100,"max_completion_tokens":null,
                 "messages":[{"role":"user","content":"Write a long essay"}]}""");

        ObjectNode olderName = (ObjectNode) JSON.readTree(new OpenAiRequestMapper(JSON, false, false, false)
            .toBody(new ChatCall(request, "mistral-small-latest", false, null)));

        assertThat(olderName.path("max_tokens").asInt()).isEqualTo(100);
        assertThat(olderName.propertyNames()).containsExactly("model", "max_tokens", "messages");
    }

    /** Jackson reads the last of two equal keys; strict parsers (serde, say) refuse the body. */
    @Test
    void anEmptyCapIsLeftOutRatherThanSentBesideTheHoldsCap() {
        ObjectNode request = (ObjectNode) JSON.readTree("""
                {"model":"m","max_completion_tokens":null,"messages":[{"role":"user","content":"Hi"}]}""");

        String body = new String(new OpenAiRequestMapper(JSON, false, true, false)
            .toBody(new ChatCall(request, "m", false, null, 4096)), StandardCharsets.UTF_8);

        assertThat(body.split("\"max_completion_tokens\"", -1)).as(body).hasSize(2);
        assertThat(JSON.readTree(body).path("max_completion_tokens").asInt()).isEqualTo(4096);
    }

    private List<ChatStreamEvent> decode(String data) {
        return decoder.decode(data.getBytes(StandardCharsets.UTF_8));
    }

}
