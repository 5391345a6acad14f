package dev.tollgate.proxy;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

import dev.tollgate.common.ApiException;
import dev.tollgate.testsupport.Fixtures;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class MessagesRequestTranslatorTests {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final MessagesRequestTranslator translator = new MessagesRequestTranslator(JSON);

    @Test
    void theRecordedRequestBecomesAChatRequestWithAJsonSchemaResponseFormat() {
        ObjectNode recorded = (ObjectNode) JSON.readTree(Fixtures.text("anthropic/message-recording.json"))
            .get(0).path("request").path("body");

        JsonNode chat = translator.toChatBody(recorded.deepCopy());

        assertThat(chat.path("model").stringValue()).isEqualTo("claude-sonnet-4-5");
        assertThat(chat.path("max_completion_tokens").asInt()).isEqualTo(1024);
        assertThat(chat.path("messages")).isEqualTo(JSON.readTree("""
                [{"role":"user","content":"Extract: I want to order 2 Green Tea at $5.50 each"}]"""));
        assertThat(chat.path("response_format").path("type").stringValue()).isEqualTo("json_schema");
        assertThat(chat.path("response_format").path("json_schema").path("schema"))
            .isEqualTo(recorded.path("output_config").path("format").path("schema"));
    }

    @Test
    void systemTextAndImagesAndSamplingParametersAreTranslated() {
        JsonNode chat = translate("""
                {"model":"openai/gpt-4o-mini","max_tokens":100,"stream":true,
                 "system":[{"type":"text","text":"Be terse."},{"type":"text","text":"Cache me","cache_control":{"type":"ephemeral"}}],
                 "messages":[{"role":"user","content":[
                   {"type":"text","text":"What is this?"},
                   {"type":"image","source":{"type":"base64","media_type":"image/png","data":"iVBORw0KGgo="}},
                   {"type":"image","source":{"type":"url","url":"https://example.com/cat.jpg"},
                    "cache_control":{"type":"ephemeral"}}]}],
                 "temperature":0.5,"top_p":0.9,"top_k":40,"stop_sequences":["END"],
                 "metadata":{"user_id":"u-1"}}""");

        assertThat(chat.path("messages")).isEqualTo(JSON.readTree("""
                [{"role":"system","content":[{"type":"text","text":"Be terse."},
                   {"type":"text","text":"Cache me","cache_control":{"type":"ephemeral"}}]},
                 {"role":"user","content":[{"type":"text","text":"What is this?"},
                   {"type":"image_url","image_url":{"url":"data:image/png;base64,iVBORw0KGgo="}},
                   {"type":"image_url","image_url":{"url":"https://example.com/cat.jpg"},
                    "cache_control":{"type":"ephemeral"}}]}]"""));
        assertThat(chat.path("stream").asBoolean()).isTrue();
        assertThat(chat.path("temperature").asDouble()).isEqualTo(0.5);
        assertThat(chat.path("top_p").asDouble()).isEqualTo(0.9);
        assertThat(chat.path("top_k").asInt()).isEqualTo(40);
        assertThat(chat.path("stop")).isEqualTo(JSON.readTree("[\"END\"]"));
        assertThat(chat.path("user").stringValue()).isEqualTo("u-1");
    }

    @Test
    void toolUseAndToolResultsBecomeToolCallsAndToolMessagesInOpenAisOrder() {
        JsonNode chat = translate("""
                {"model":"m","max_tokens":100,"system":"S",
                 "tools":[{"name":"get_weather","description":"Weather now",
                   "input_schema":{"type":"object","properties":{"city":{"type":"string"}}}}],
                 "tool_choice":{"type":"any","disable_parallel_tool_use":true},
                 "messages":[
                   {"role":"user","content":"Weather in Paris?"},
                   {"role":"assistant","content":[{"type":"text","text":"Checking."},
                     {"type":"tool_use","id":"toolu_1","name":"get_weather","input":{"city":"Paris"}}]},
                   {"role":"user","content":[
                     {"type":"tool_result","tool_use_id":"toolu_1","content":"18C"},
                     {"type":"tool_result","tool_use_id":"toolu_2","is_error":true,"content":"Timed out"},
                     {"type":"text","text":"And tomorrow?"}]}]}""");

        assertThat(chat.path("messages")).isEqualTo(JSON.readTree("""
                [{"role":"system","content":"S"},
                 {"role":"user","content":"Weather in Paris?"},
                 {"role":"assistant","content":"Checking.","tool_calls":[{"id":"toolu_1","type":"function",
                   "function":{"name":"get_weather","arguments":"{\\"city\\":\\"Paris\\"}"}}]},
                 {"role":"tool","tool_call_id":"toolu_1","content":"18C"},
                 {"role":"tool","tool_call_id":"toolu_2","is_error":true,"content":"Timed out"},
                 {"role":"user","content":"And tomorrow?"}]"""));
        assertThat(chat.path("tools")).isEqualTo(JSON.readTree("""
                [{"type":"function","function":{"name":"get_weather","description":"Weather now",
                  "parameters":{"type":"object","properties":{"city":{"type":"string"}}}}}]"""));
        assertThat(chat.path("tool_choice").stringValue()).isEqualTo("required");
        assertThat(chat.path("parallel_tool_calls").asBoolean(true)).isFalse();
        assertThat(translate(withToolChoice("{\"type\":\"tool\",\"name\":\"f\"}")).path("tool_choice"))
            .isEqualTo(JSON.readTree("{\"type\":\"function\",\"function\":{\"name\":\"f\"}}"));
        assertThat(translate(withToolChoice("{\"type\":\"auto\"}")).path("tool_choice").stringValue())
            .isEqualTo("auto");
    }

    @Test
    void anAssistantTurnWithOnlyToolUseHasNullContentAndThinkingIsLeftOut() {
        JsonNode chat = translate("""
                {"model":"m","max_tokens":10,"messages":[{"role":"user","content":"Q"},
                  {"role":"assistant","content":[{"type":"thinking","thinking":"hmm","signature":"s"},
                    {"type":"tool_use","id":"t","name":"f","input":{}}]}]}""");

        JsonNode assistant = chat.path("messages").get(1);
        assertThat(assistant.path("content").isNull()).isTrue();
        assertThat(assistant.path("tool_calls").get(0).path("function").path("arguments").stringValue())
            .isEqualTo("{}");
    }

    @Test
    void whatOpenAiCannotExpressIsRejectedNamingIt() {
        assertRejected("{\"model\":\"m\",\"max_tokens\":10,\"messages\":[{\"role\":\"user\",\"content\":\"Q\"}],"
                + "\"thinking\":{\"type\":\"enabled\",\"budget_tokens\":2000}}", "thinking");
        assertRejected("{\"model\":\"m\",\"max_tokens\":10,\"messages\":[{\"role\":\"user\",\"content\":\"Q\"}],"
                + "\"tools\":[{\"type\":\"web_search_20250305\",\"name\":\"web_search\"}]}", "tools[0].type");
        assertRejected("{\"model\":\"m\",\"max_tokens\":10,\"messages\":[{\"role\":\"user\",\"content\":["
                + "{\"type\":\"document\",\"source\":{\"type\":\"url\",\"url\":\"https://x/a.pdf\"}}]}]}",
                "messages[0].content[0].type");
        assertRejected("{\"model\":\"m\",\"max_tokens\":10,\"messages\":[{\"role\":\"user\",\"content\":\"Q\"}],"
                + "\"container\":\"c\"}", "container");
    }

    @Test
    void theRequiredFieldsAreChecked() {
        assertRejected("{\"max_tokens\":10,\"messages\":[{\"role\":\"user\",\"content\":\"Q\"}]}", "model");
        assertRejected("{\"model\":\"m\",\"max_tokens\":10,\"messages\":[]}", "messages");
        assertRejected("{\"model\":\"m\",\"max_tokens\":0,\"messages\":[{\"role\":\"user\",\"content\":\"Q\"}]}",
                "max_tokens");
        assertRejected("{\"model\":\"m\",\"max_tokens\":99999999999999999999,\"messages\":[{\"role\":\"user\","
                + "\"content\":\"Q\"}]}", "max_tokens");
        assertRejected("{\"model\":\"m\",\"max_tokens\":4294967296,\"messages\":[{\"role\":\"user\","
                + "\"content\":\"Q\"}]}", "max_tokens");
        assertRejected("{\"model\":\"m\",\"max_tokens\":10,\"messages\":[{\"role\":\"system\",\"content\":\"Q\"}]}",
                "messages[0].role");
    }

    private JsonNode translate(String request) {
        return translator.toChatBody((ObjectNode) JSON.readTree(request));
    }

    private static String withToolChoice(String choice) {
        return "{\"model\":\"m\",\"max_tokens\":10,\"messages\":[{\"role\":\"user\",\"content\":\"Q\"}],"
                + "\"tools\":[{\"name\":\"f\",\"input_schema\":{\"type\":\"object\"}}],\"tool_choice\":" + choice + "}";
    }

    private void assertRejected(String request, String param) {
        assertThatThrownBy(() -> translate(request)).isInstanceOfSatisfying(ApiException.class, error -> {
            assertThat(error.status().value()).isEqualTo(400);
            assertThat(error.param()).isEqualTo(param);
        });
    }

}
