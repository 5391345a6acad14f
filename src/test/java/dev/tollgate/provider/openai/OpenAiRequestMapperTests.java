package dev.tollgate.provider.openai;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

import dev.tollgate.common.ApiException;
import dev.tollgate.provider.ChatCall;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class OpenAiRequestMapperTests {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final OpenAiRequestMapper mapper = new OpenAiRequestMapper(JSON, true, true, true);

    /**
     * The body is the client's request with the provider's model id, whatever its size: a small one leaves the
     * generator in one write, a prompt larger than the generator's buffer in several.
     */
    @Test
    void theBodyIsTheRequestWithTheUpstreamModelSmallOrLarge() {
        for (int promptLength : new int[] {5, 7_999, 8_000, 100_000}) {
            ObjectNode request = JSON.createObjectNode().put("model", "openai/gpt-4o-mini").put("temperature", 0.2);
            request.putArray("messages").addObject().put("role", "user").put("content", "é".repeat(promptLength));

            JsonNode body = JSON.readTree(mapper.toBody(new ChatCall(request, "gpt-4o-mini", false, null)));

            ObjectNode expected = request.deepCopy().put("model", "gpt-4o-mini");
            assertThat(body).as("a prompt of %d characters", promptLength).isEqualTo(expected);
        }
    }

    @Test
    void aStreamAsksForUsageAndKeepsTheClientsOtherStreamOptions() {
        ObjectNode request = JSON.createObjectNode().put("model", "m").put("stream", true);
        request.putObject("stream_options").put("include_usage", false).put("include_obfuscation", false);
        request.putArray("messages").addObject().put("role", "user").put("content", "Hi");

        JsonNode body = JSON.readTree(mapper.toBody(new ChatCall(request, "gpt-4o-mini", true, null)));

        assertThat(body.path("model").stringValue()).isEqualTo("gpt-4o-mini");
        assertThat(body.path("stream").booleanValue()).isTrue();
        assertThat(body.path("stream_options").path("include_usage").booleanValue()).isTrue();
        assertThat(body.path("stream_options").path("include_obfuscation").isBoolean()).isTrue();
    }

    /** OpenRouter ignores a sampling parameter the model lacks; OpenAI answers 400 naming top_k. */
    @Test
    void openAiItselfIsNotSentTopKWhichOtherServersGet() {
        ObjectNode request = JSON.createObjectNode().put("model", "m").put("top_k", 40).put("top_p", 0.9);
        request.putArray("messages").addObject().put("role", "user").put("content", "Hi");
        ChatCall call = new ChatCall(request, "gpt-4o-mini", false, null);

        JsonNode official = JSON.readTree(mapper.toBody(call));
        JsonNode compatible = JSON.readTree(new OpenAiRequestMapper(JSON, true, true, false).toBody(call));

        assertThat(official.has("top_k")).isFalse();
        assertThat(official.path("top_p").asDouble()).isEqualTo(0.9);
        assertThat(compatible.path("top_k").asInt()).as("vLLM and Ollama take it").isEqualTo(40);
    }

    /** OpenAI has refused tool-call ids over 40 characters; Gemini's, with their thought signature, are hundreds. */
    @Test
    void openAiGetsToolCallIdsItTakesAndTheirResultsStillPairUp() {
        String geminiId = "gemini_a1b2__thought__" + "CiQB0e2K+/x3Yz==".repeat(20);
        ObjectNode request = (ObjectNode) JSON.readTree("""
                {"model":"m","messages":[
                  {"role":"user","content":"Weather?"},
                  {"role":"assistant","content":null,"tool_calls":[
                    {"id":"%1$s","type":"function","function":{"name":"weather","arguments":"{}"}}]},
                  {"role":"tool","tool_call_id":"%1$s","content":"18C"}]}""".formatted(geminiId));
        ChatCall call = new ChatCall(request, "gpt-5", false, null);

        JsonNode official = JSON.readTree(mapper.toBody(call));
        JsonNode compatible = JSON.readTree(new OpenAiRequestMapper(JSON, true, true, false).toBody(call));

        String id = official.at("/messages/1/tool_calls/0/id").stringValue();
        assertThat(id).matches("[A-Za-z0-9_-]{1,40}");
        assertThat(official.at("/messages/2/tool_call_id").stringValue()).isEqualTo(id);
        assertThat(official.at("/messages/1/tool_calls/0/function/name").stringValue()).isEqualTo("weather");
        assertThat(compatible.at("/messages/1/tool_calls/0/id").stringValue()).as("ids are the server's business")
            .isEqualTo(geminiId);
    }

    /** OpenAI bills priority at about twice the standard price and flex at half; the catalog has the standard one. */
    @Test
    void openAiIsOnlyAskedForTheStandardTierWhichItIsBilledAt() {
        ObjectNode request = JSON.createObjectNode().put("model", "m").put("service_tier", "priority");
        request.putArray("messages").addObject().put("role", "user").put("content", "Hi");
        ChatCall call = new ChatCall(request, "gpt-5", false, null);

        assertThatThrownBy(() -> mapper.toBody(call)).isInstanceOfSatisfying(ApiException.class, error -> {
            assertThat(error.status().value()).isEqualTo(400);
            assertThat(error.code()).isEqualTo("unsupported_parameter");
            assertThat(error.param()).isEqualTo("service_tier");
        });
        request.put("service_tier", "flex");
        assertThatThrownBy(() -> mapper.toBody(call)).isInstanceOf(ApiException.class);
        request.put("service_tier", "default");
        assertThat(JSON.readTree(mapper.toBody(call)).path("service_tier").stringValue()).isEqualTo("default");
        request.put("service_tier", "flex");
        assertThat(JSON.readTree(new OpenAiRequestMapper(JSON, true, true, false).toBody(call))
            .path("service_tier").stringValue()).as("another server's tiers are its own").isEqualTo("flex");
    }

    /**
     * A failed tool's flag and Anthropic's cache markers ride in the request for the Anthropic adapter; OpenAI refuses
     * fields it does not know ("Unrecognized request argument supplied: cache_control", as reported from Azure).
     */
    @Test
    void fieldsForTheAnthropicAdapterAreLeftOutAndTheRestIsAsSent() {
        ObjectNode request = (ObjectNode) JSON.readTree("""
                {"model":"m","temperature":0.2,
                 "tools":[{"type":"function","function":{"name":"read"},"cache_control":{"type":"ephemeral"}},
                          {"type":"function","function":{"name":"write"}}],
                 "messages":[
                  {"role":"system","content":[{"type":"text","text":"Be terse.","cache_control":{"type":"ephemeral"}}]},
                  {"role":"user","content":[{"type":"text","text":"Read it"},
                    {"type":"image_url","image_url":{"url":"https://x/y.png"},"cache_control":{"type":"ephemeral"}}]},
                  {"role":"assistant","content":null,"tool_calls":[
                    {"id":"call_1","type":"function","function":{"name":"read","arguments":"{}"}}]},
                  {"role":"tool","tool_call_id":"call_1","is_error":true,"content":"No such file"}]}""");

        ChatCall call = new ChatCall(request, "gpt-4o-mini", false, null);
        JsonNode body = JSON.readTree(mapper.toBody(call));
        JsonNode compatible = JSON.readTree(new OpenAiRequestMapper(JSON, true, true, false).toBody(call));

        ObjectNode forCompatible = request.deepCopy().put("model", "gpt-4o-mini");
        ((ObjectNode) forCompatible.path("messages").get(3)).remove("is_error");
        assertThat(compatible).as("OpenRouter, say, passes cache markers on").isEqualTo(forCompatible);
        assertThat(body).isEqualTo(JSON.readTree("""
                {"model":"gpt-4o-mini","temperature":0.2,
                 "tools":[{"type":"function","function":{"name":"read"}},{"type":"function","function":{"name":"write"}}],
                 "messages":[
                  {"role":"system","content":[{"type":"text","text":"Be terse."}]},
                  {"role":"user","content":[{"type":"text","text":"Read it"},
                    {"type":"image_url","image_url":{"url":"https://x/y.png"}}]},
                  {"role":"assistant","content":null,"tool_calls":[
                    {"id":"call_1","type":"function","function":{"name":"read","arguments":"{}"}}]},
                  {"role":"tool","tool_call_id":"call_1","content":"No such file"}]}"""));
    }

}
