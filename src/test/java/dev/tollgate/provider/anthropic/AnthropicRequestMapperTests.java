package dev.tollgate.provider.anthropic;

import java.util.function.Consumer;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

import dev.tollgate.common.ApiException;
import dev.tollgate.provider.ChatCall;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class AnthropicRequestMapperTests {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final AnthropicRequestMapper mapper = new AnthropicRequestMapper(JSON, "anthropic");

    @Test
    void systemAndDeveloperMessagesBecomeTheSystemPromptAndTheModelAndDefaultsAreSet() {
        JsonNode body = map("""
                {"model":"anthropic/claude-sonnet-4-5","messages":[
                  {"role":"system","content":"You are terse."},
                  {"role":"developer","content":[{"type":"text","text":"Answer in French."}]},
                  {"role":"user","content":"Hi"}],
                 "temperature":0.2,"top_p":0.9,"stop":"END"}""", false);

        assertThat(body.path("model").stringValue()).isEqualTo("claude-sonnet-4-5");
        assertThat(body.path("max_tokens").asInt()).isEqualTo(AnthropicRequestMapper.DEFAULT_MAX_TOKENS);
        assertThat(body.path("system")).isEqualTo(JSON.readTree("""
                [{"type":"text","text":"You are terse."},{"type":"text","text":"Answer in French."}]"""));
        assertThat(body.path("messages")).isEqualTo(JSON.readTree("""
                [{"role":"user","content":[{"type":"text","text":"Hi"}]}]"""));
        assertThat(body.path("temperature").asDouble()).isEqualTo(0.2);
        assertThat(body.path("top_p").asDouble()).isEqualTo(0.9);
        assertThat(body.path("stop_sequences")).isEqualTo(JSON.readTree("[\"END\"]"));
        assertThat(body.has("stream")).isFalse();
    }

    @Test
    void maxCompletionTokensWinsOverMaxTokensAndAStreamAsksForOne() {
        JsonNode body = map("""
                {"model":"m","max_tokens":50,"max_completion_tokens":70,"stop":["a","b"],
                 "stream":true,"stream_options":{"include_usage":true},
                 "messages":[{"role":"user","content":"Hi"}]}""", true);

        assertThat(body.path("max_tokens").asInt()).isEqualTo(70);
        assertThat(body.path("stream").asBoolean()).isTrue();
        assertThat(body.has("stream_options")).isFalse();
        assertThat(body.path("stop_sequences")).isEqualTo(JSON.readTree("[\"a\",\"b\"]"));
    }

    /** The proxy refuses such a value before it gets here; the mapper still does not fail on it. */
    @Test
    void aMaxCompletionTokensBeyondALongFallsBackToMaxTokens() {
        JsonNode body = map("""
                {"model":"m","max_tokens":50,"max_completion_tokens":99999999999999999999,
                 "messages":[{"role":"user","content":"Hi"}]}""", false);

        assertThat(body.path("max_tokens").asInt()).isEqualTo(50);
    }

    @Test
    void consecutiveMessagesOfOneRoleAreMergedSoThatRolesAlternate() {
        JsonNode body = map("""
                {"model":"m","messages":[
                  {"role":"user","content":"one"},{"role":"user","content":"two"},
                  {"role":"assistant","content":"three"},{"role":"user","content":"four"}]}""", false);

        assertThat(body.path("messages")).isEqualTo(JSON.readTree("""
                [{"role":"user","content":[{"type":"text","text":"one"},{"type":"text","text":"two"}]},
                 {"role":"assistant","content":[{"type":"text","text":"three"}]},
                 {"role":"user","content":[{"type":"text","text":"four"}]}]"""));
    }

    /** OpenAI takes an empty message; Anthropic refuses a turn without content ("messages.1: ... non-empty"). */
    @Test
    void emptyMessagesAreLeftOutAndTheTurnsAroundThemMerge() {
        JsonNode body = map("""
                {"model":"m","messages":[
                  {"role":"user","content":"one"},{"role":"assistant","content":""},
                  {"role":"user","content":[]},{"role":"user","content":"two"},
                  {"role":"assistant","content":[{"type":"text","text":""}]}]}""", false);

        assertThat(body.path("messages")).isEqualTo(JSON.readTree("""
                [{"role":"user","content":[{"type":"text","text":"one"},{"type":"text","text":"two"}]}]"""));
    }

    @Test
    void aConversationWithNothingInItIsRejectedBeforeAnthropicSeesIt() {
        assertThatThrownBy(() -> map("""
                {"model":"m","messages":[{"role":"user","content":""}]}""", false))
            .isInstanceOfSatisfying(ApiException.class, error -> assertThat(error.param()).isEqualTo("messages"));
    }

    /** Tollgate's Messages API carries a failed tool's flag, which Anthropic gets back on its tool_result. */
    @Test
    void aFailedToolsResultKeepsItsErrorFlag() {
        JsonNode body = map("""
                {"model":"m","messages":[
                  {"role":"user","content":"Read it"},
                  {"role":"assistant","content":null,"tool_calls":[
                    {"id":"toolu_1","type":"function","function":{"name":"read","arguments":"{}"}}]},
                  {"role":"tool","tool_call_id":"toolu_1","is_error":true,"content":"No such file"}]}""", false);

        assertThat(body.at("/messages/2/content/0")).isEqualTo(JSON.readTree("""
                {"type":"tool_result","tool_use_id":"toolu_1","is_error":true,"content":"No such file"}"""));
    }

    /**
     * A conversation that began on Gemini carries its tool-call ids, with the thought signature in them; Anthropic
     * refuses ids outside [a-zA-Z0-9_-]. The call and its result still pair up.
     */
    @Test
    void anotherProvidersToolCallIdsAreMadeOnesAnthropicTakes() {
        String geminiId = "gemini_a1b2__thought__CiQB0e2K+/x3Yz==";
        JsonNode body = map("""
                {"model":"m","messages":[
                  {"role":"user","content":"Weather?"},
                  {"role":"assistant","content":null,"tool_calls":[
                    {"id":"%1$s","type":"function","function":{"name":"weather","arguments":"{}"}},
                    {"id":"toolu_2","type":"function","function":{"name":"weather","arguments":"{}"}}]},
                  {"role":"tool","tool_call_id":"%1$s","content":"18C"},
                  {"role":"tool","tool_call_id":"toolu_2","content":"24C"}]}""".formatted(geminiId), false);

        String id = body.at("/messages/1/content/0/id").stringValue();
        assertThat(id).matches("[a-zA-Z0-9_-]{1,40}").isNotEqualTo(geminiId);
        assertThat(body.at("/messages/2/content/0/tool_use_id").stringValue()).isEqualTo(id);
        assertThat(body.at("/messages/1/content/1/id").stringValue()).as("an id that fits").isEqualTo("toolu_2");
        assertThat(body.at("/messages/2/content/1/tool_use_id").stringValue()).isEqualTo("toolu_2");
    }

    @Test
    void imagePartsBecomeBase64OrUrlSources() {
        JsonNode body = map("""
                {"model":"m","messages":[{"role":"user","content":[
                  {"type":"text","text":"Compare"},
                  {"type":"image_url","image_url":{"url":"data:image/png;base64,iVBORw0KGgo="}},
                  {"type":"image_url","image_url":{"url":"https://example.com/cat.jpg","detail":"low"}}]}]}""",
                false);

        assertThat(body.path("messages").get(0).path("content")).isEqualTo(JSON.readTree("""
                [{"type":"text","text":"Compare"},
                 {"type":"image","source":{"type":"base64","media_type":"image/png","data":"iVBORw0KGgo="}},
                 {"type":"image","source":{"type":"url","url":"https://example.com/cat.jpg"}}]"""));
    }

    @Test
    void toolsAndToolChoiceAreTranslated() {
        JsonNode body = map("""
                {"model":"m","messages":[{"role":"user","content":"Weather?"}],
                 "tools":[{"type":"function","function":{"name":"get_weather","description":"Weather now",
                   "parameters":{"type":"object","properties":{"city":{"type":"string"}}}}},
                   {"type":"function","function":{"name":"now"}}],
                 "tool_choice":{"type":"function","function":{"name":"get_weather"}},
                 "parallel_tool_calls":false}""", false);

        assertThat(body.path("tools")).isEqualTo(JSON.readTree("""
                [{"name":"get_weather","description":"Weather now",
                  "input_schema":{"type":"object","properties":{"city":{"type":"string"}}}},
                 {"name":"now","input_schema":{"type":"object","properties":{}}}]"""));
        assertThat(body.path("tool_choice")).isEqualTo(JSON.readTree("""
                {"type":"tool","name":"get_weather","disable_parallel_tool_use":true}"""));
        assertThat(map(withToolChoice("\"required\""), false).path("tool_choice"))
            .isEqualTo(JSON.readTree("{\"type\":\"any\"}"));
        assertThat(map(withToolChoice("\"auto\""), false).path("tool_choice"))
            .isEqualTo(JSON.readTree("{\"type\":\"auto\"}"));
        assertThat(map(withToolChoice("\"none\""), false).path("tool_choice"))
            .isEqualTo(JSON.readTree("{\"type\":\"none\"}"));
    }

    @Test
    void assistantToolCallsBecomeToolUseBlocksAndToolMessagesToolResultsInOneUserTurn() {
        JsonNode body = map("""
                {"model":"m","messages":[
                  {"role":"user","content":"Weather in Paris and Rome?"},
                  {"role":"assistant","content":"","tool_calls":[
                    {"id":"toolu_1","type":"function","function":{"name":"get_weather","arguments":"{\\"city\\":\\"Paris\\"}"}},
                    {"id":"toolu_2","type":"function","function":{"name":"get_weather","arguments":"{\\"city\\":\\"Rome\\"}"}}]},
                  {"role":"tool","tool_call_id":"toolu_1","content":"18C"},
                  {"role":"tool","tool_call_id":"toolu_2","content":[{"type":"text","text":"24C"}]},
                  {"role":"user","content":"Which is warmer?"}]}""", false);

        assertThat(body.path("messages")).isEqualTo(JSON.readTree("""
                [{"role":"user","content":[{"type":"text","text":"Weather in Paris and Rome?"}]},
                 {"role":"assistant","content":[
                   {"type":"tool_use","id":"toolu_1","name":"get_weather","input":{"city":"Paris"}},
                   {"type":"tool_use","id":"toolu_2","name":"get_weather","input":{"city":"Rome"}}]},
                 {"role":"user","content":[
                   {"type":"tool_result","tool_use_id":"toolu_1","content":"18C"},
                   {"type":"tool_result","tool_use_id":"toolu_2","content":[{"type":"text","text":"24C"}]},
                   {"type":"text","text":"Which is warmer?"}]}]"""));
    }

    @Test
    void cacheControlMarkersOnPartsAreKept() {
        JsonNode body = map("""
                {"model":"m","messages":[{"role":"system","content":[
                  {"type":"text","text":"Long manual","cache_control":{"type":"ephemeral"}}]},
                  {"role":"user","content":"Q"}]}""", false);

        assertThat(body.path("system").get(0).path("cache_control")).isEqualTo(JSON.readTree("{\"type\":\"ephemeral\"}"));
    }

    @Test
    void aJsonSchemaResponseFormatBecomesAnOutputFormatAndUserBecomesMetadata() {
        JsonNode body = map("""
                {"model":"m","messages":[{"role":"user","content":"Q"}],"user":"u-42",
                 "response_format":{"type":"json_schema","json_schema":{"name":"ids","schema":{"type":"array"}}}}""",
                false);

        assertThat(body.path("output_config")).isEqualTo(JSON.readTree("""
                {"format":{"type":"json_schema","schema":{"type":"array"}}}"""));
        assertThat(body.path("metadata").path("user_id").stringValue()).isEqualTo("u-42");
    }

    @Test
    void parametersAnthropicCannotHonourAreRejectedNamingThem() {
        assertUnsupported("{\"seed\":7}", "seed");
        assertUnsupported("{\"n\":2}", "n");
        assertUnsupported("{\"logprobs\":true}", "logprobs");
        assertUnsupported("{\"presence_penalty\":0.5}", "presence_penalty");
        assertUnsupported("{\"response_format\":{\"type\":\"json_object\"}}", "response_format");
        assertUnsupported("{\"functions\":[]}", "functions");
        assertUnsupported("{\"reasoning_effort\":\"high\"}", "reasoning_effort");
    }

    @Test
    void parametersAtTheirDefaultValueAreAccepted() {
        JsonNode body = map("""
                {"model":"m","messages":[{"role":"user","content":"Q"}],"n":1,"presence_penalty":0,
                 "frequency_penalty":0.0,"logprobs":false,"seed":null,"store":false,"logit_bias":{}}""", false);

        assertThat(body.has("n")).isFalse();
        assertThat(body.has("seed")).isFalse();
    }

    @Test
    void anUnsupportedContentPartIsRejected() {
        assertThatThrownBy(() -> map("""
                {"model":"m","messages":[{"role":"user","content":[
                  {"type":"input_audio","input_audio":{"data":"AAA","format":"wav"}}]}]}""", false))
            .isInstanceOfSatisfying(ApiException.class, error -> {
                assertThat(error.status().value()).isEqualTo(400);
                assertThat(error.param()).isEqualTo("messages[0].content[0].type");
            });
    }

    @Test
    void toolCallArgumentsThatAreNotAJsonObjectAreRejected() {
        assertThatThrownBy(() -> map("""
                {"model":"m","messages":[{"role":"user","content":"Q"},{"role":"assistant","tool_calls":[
                  {"id":"t","type":"function","function":{"name":"f","arguments":"not json"}}]}]}""", false))
            .isInstanceOfSatisfying(ApiException.class,
                    error -> assertThat(error.param()).isEqualTo("messages[1].tool_calls[0].function.arguments"));
    }

    @Test
    void theClientsRequestIsLeftUnchanged() {
        ObjectNode request = (ObjectNode) JSON.readTree("""
                {"model":"m","messages":[{"role":"system","content":"S"},{"role":"user","content":"Q"}],
                 "tools":[{"type":"function","function":{"name":"f"}}],"stream":true}""");
        ObjectNode copy = request.deepCopy();

        mapper.toRequest(new ChatCall(request, "claude", true, null));

        assertThat(request).isEqualTo(copy);
    }

    @Test
    void withoutACapTheOneTheHoldAssumedIsSentElseTheDefault() {
        ObjectNode uncapped = (ObjectNode) JSON.readTree("{\"messages\":[{\"role\":\"user\",\"content\":\"Q\"}]}");

        assertThat(mapper.toRequest(new ChatCall(uncapped, "claude", false, null, 1000)).path("max_tokens").asInt())
            .isEqualTo(1000);
        assertThat(mapper.toRequest(new ChatCall(uncapped, "claude", false, null)).path("max_tokens").asInt())
            .isEqualTo(AnthropicRequestMapper.DEFAULT_MAX_TOKENS);
    }

    private JsonNode map(String request, boolean stream) {
        return mapper.toRequest(new ChatCall((ObjectNode) JSON.readTree(request), "claude-sonnet-4-5", stream, null));
    }

    private static String withToolChoice(String choice) {
        return "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"Q\"}],"
                + "\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"f\"}}],\"tool_choice\":" + choice + "}";
    }

    private void assertUnsupported(String extra, String param) {
        ObjectNode request = (ObjectNode) JSON.readTree(extra);
        request.put("model", "m");
        request.set("messages", JSON.readTree("[{\"role\":\"user\",\"content\":\"Q\"}]"));
        Consumer<ApiException> check = error -> {
            assertThat(error.status().value()).isEqualTo(400);
            assertThat(error.param()).isEqualTo(param);
            assertThat(error.getMessage()).contains(param);
        };
        assertThatThrownBy(() -> mapper.toRequest(new ChatCall(request, "claude", false, null)))
            .isInstanceOfSatisfying(ApiException.class, check);
    }

}
