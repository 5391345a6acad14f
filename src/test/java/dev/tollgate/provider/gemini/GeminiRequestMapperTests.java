package dev.tollgate.provider.gemini;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

import dev.tollgate.common.ApiException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class GeminiRequestMapperTests {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final GeminiRequestMapper mapper = new GeminiRequestMapper(JSON);

    @Test
    void systemAndDeveloperMessagesBecomeTheSystemInstructionAndRolesBecomeUserAndModel() {
        JsonNode body = map("""
                {"model":"google/gemini-2.5-flash","messages":[
                  {"role":"system","content":"Be brief."},
                  {"role":"developer","content":[{"type":"text","text":"Answer in French."}]},
                  {"role":"user","content":"Hi"},
                  {"role":"assistant","content":"Bonjour"},
                  {"role":"user","content":"Capital of Wyoming?"}]}""");

        assertThat(body.at("/systemInstruction/parts/0/text").stringValue()).isEqualTo("Be brief.");
        assertThat(body.at("/systemInstruction/parts/1/text").stringValue()).isEqualTo("Answer in French.");
        assertThat(body.path("contents")).hasSize(3);
        assertThat(body.at("/contents/0/role").stringValue()).isEqualTo("user");
        assertThat(body.at("/contents/0/parts/0/text").stringValue()).isEqualTo("Hi");
        assertThat(body.at("/contents/1/role").stringValue()).isEqualTo("model");
        assertThat(body.at("/contents/1/parts/0/text").stringValue()).isEqualTo("Bonjour");
        assertThat(body.at("/contents/2/role").stringValue()).isEqualTo("user");
        assertThat(body.has("generationConfig")).isFalse();
        assertThat(body.has("model")).as("the model is in Gemini's URL").isFalse();
    }

    @Test
    void consecutiveMessagesOfOneRoleBecomeOneTurn() {
        JsonNode body = map("""
                {"messages":[{"role":"user","content":"one"},{"role":"user","content":"two"}]}""");

        assertThat(body.path("contents")).hasSize(1);
        assertThat(body.at("/contents/0/parts")).hasSize(2);
    }

    @Test
    void samplingParametersGoToTheGenerationConfig() {
        JsonNode config = map("""
                {"messages":[{"role":"user","content":"Hi"}],"temperature":0.2,"top_p":0.9,"max_tokens":100,
                 "stop":"END","seed":7,"n":2,"presence_penalty":0.5,"frequency_penalty":0.25,
                 "response_format":{"type":"json_schema","json_schema":{"name":"answer",
                   "schema":{"type":"object","properties":{"city":{"type":"string"}},"additionalProperties":false}}},
                 "stream":true,"stream_options":{"include_usage":true},"user":"u-1"}""").path("generationConfig");

        assertThat(config.path("temperature").asDouble()).isEqualTo(0.2);
        assertThat(config.path("topP").asDouble()).isEqualTo(0.9);
        assertThat(config.path("maxOutputTokens").asInt()).isEqualTo(100);
        assertThat(config.at("/stopSequences/0").stringValue()).isEqualTo("END");
        assertThat(config.path("seed").asInt()).isEqualTo(7);
        assertThat(config.path("candidateCount").asInt()).isEqualTo(2);
        assertThat(config.path("presencePenalty").asDouble()).isEqualTo(0.5);
        assertThat(config.path("frequencyPenalty").asDouble()).isEqualTo(0.25);
        assertThat(config.path("responseMimeType").stringValue()).isEqualTo("application/json");
        assertThat(config.at("/responseJsonSchema/additionalProperties").asBoolean(true)).isFalse();
    }

    @Test
    void maxCompletionTokensAndReasoningEffortSetTheBudgets() {
        JsonNode config = map("""
                {"messages":[{"role":"user","content":"Hi"}],"max_completion_tokens":2000,
                 "reasoning_effort":"medium"}""").path("generationConfig");

        assertThat(config.path("maxOutputTokens").asInt()).isEqualTo(2000);
        assertThat(config.at("/thinkingConfig/thinkingBudget").asInt()).isEqualTo(8192);
        assertThat(config.at("/thinkingConfig/includeThoughts").isMissingNode()).isTrue();
    }

    @Test
    void maxCompletionTokensWinsOverMaxTokensWhicheverComesFirst() {
        for (String caps : new String[] { "\"max_tokens\":900,\"max_completion_tokens\":40",
                "\"max_completion_tokens\":40,\"max_tokens\":900" }) {
            JsonNode config = map("{\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]," + caps + "}")
                .path("generationConfig");

            // The cap the credit hold counted on (ChatRequestReader reads max_completion_tokens first).
            assertThat(config.path("maxOutputTokens").asInt()).as(caps).isEqualTo(40);
        }
    }

    @Test
    void openRoutersReasoningObjectAsksForThoughtSummaries() {
        JsonNode thinking = map("""
                {"messages":[{"role":"user","content":"Hi"}],"reasoning":{"max_tokens":512}}""")
            .at("/generationConfig/thinkingConfig");

        assertThat(thinking.path("thinkingBudget").asInt()).isEqualTo(512);
        assertThat(thinking.path("includeThoughts").asBoolean()).isTrue();
    }

    @Test
    void toolsBecomeFunctionDeclarationsWithTheirJsonSchema() {
        JsonNode body = map("""
                {"messages":[{"role":"user","content":"Weather in Paris?"}],
                 "tools":[{"type":"function","function":{"name":"get_weather","description":"Current weather",
                   "parameters":{"type":"object","properties":{"city":{"type":"string"}},"required":["city"],
                   "additionalProperties":false},"strict":true}},
                   {"type":"function","function":{"name":"now"}}],
                 "tool_choice":{"type":"function","function":{"name":"get_weather"}}}""");

        JsonNode declarations = body.at("/tools/0/functionDeclarations");
        assertThat(declarations).hasSize(2);
        assertThat(declarations.at("/0/name").stringValue()).isEqualTo("get_weather");
        assertThat(declarations.at("/0/description").stringValue()).isEqualTo("Current weather");
        assertThat(declarations.at("/0/parametersJsonSchema/required/0").stringValue()).isEqualTo("city");
        assertThat(declarations.at("/1/parametersJsonSchema").isMissingNode()).isTrue();
        assertThat(body.at("/toolConfig/functionCallingConfig/mode").stringValue()).isEqualTo("ANY");
        assertThat(body.at("/toolConfig/functionCallingConfig/allowedFunctionNames/0").stringValue())
            .isEqualTo("get_weather");
    }

    @Test
    void toolChoiceWordsBecomeFunctionCallingModes() {
        assertThat(toolChoiceMode("\"none\"")).isEqualTo("NONE");
        assertThat(toolChoiceMode("\"auto\"")).isEqualTo("AUTO");
        assertThat(toolChoiceMode("\"required\"")).isEqualTo("ANY");
    }

    @Test
    void toolCallsAndTheirResultsBecomeFunctionCallsAndResponsesInOneTurn() {
        JsonNode body = map("""
                {"messages":[{"role":"user","content":"Weather in Paris and Oslo?"},
                  {"role":"assistant","content":null,"tool_calls":[
                    {"id":"call_1","type":"function","function":{"name":"get_weather","arguments":"{\\"city\\":\\"Paris\\"}"}},
                    {"id":"call_2","type":"function","function":{"name":"get_weather","arguments":"{\\"city\\":\\"Oslo\\"}"}}]},
                  {"role":"tool","tool_call_id":"call_1","content":"{\\"celsius\\":21}"},
                  {"role":"tool","tool_call_id":"call_2","content":"minus four"},
                  {"role":"user","content":"Thanks"}]}""");

        JsonNode contents = body.path("contents");
        assertThat(contents).hasSize(4);
        JsonNode calls = contents.at("/1/parts");
        assertThat(contents.at("/1/role").stringValue()).isEqualTo("model");
        assertThat(calls).hasSize(2);
        assertThat(calls.at("/0/functionCall/name").stringValue()).isEqualTo("get_weather");
        assertThat(calls.at("/0/functionCall/args/city").stringValue()).isEqualTo("Paris");
        assertThat(calls.at("/0/thoughtSignature").isMissingNode()).isTrue();
        JsonNode results = contents.at("/2/parts");
        assertThat(contents.at("/2/role").stringValue()).isEqualTo("user");
        assertThat(results).as("parallel results answer their calls in one turn").hasSize(2);
        assertThat(results.at("/0/functionResponse/name").stringValue()).isEqualTo("get_weather");
        assertThat(results.at("/0/functionResponse/response/celsius").asInt()).isEqualTo(21);
        assertThat(results.at("/1/functionResponse/response/output").stringValue()).isEqualTo("minus four");
        assertThat(contents.at("/3/parts/0/text").stringValue()).isEqualTo("Thanks");
    }

    @Test
    void aThoughtSignatureTravelsBackFromTheToolCallIdToItsFunctionCall() {
        String id = GeminiToolCallIds.create(null, "c2lnbmF0dXJl");
        JsonNode body = map("""
                {"messages":[{"role":"user","content":"Time?"},
                  {"role":"assistant","tool_calls":[{"id":"%s","type":"function","function":{"name":"now","arguments":""}}]},
                  {"role":"tool","tool_call_id":"%s","content":"noon"}]}""".formatted(id, id));

        assertThat(id).startsWith("call_");
        assertThat(body.at("/contents/1/parts/0/thoughtSignature").stringValue()).isEqualTo("c2lnbmF0dXJl");
        assertThat(body.at("/contents/1/parts/0/functionCall/args").isEmpty()).isTrue();
        assertThat(body.at("/contents/2/parts/0/functionResponse/name").stringValue()).isEqualTo("now");
    }

    /** Gemini 3 gives its calls ids, which its API wants back on the call and on the response that answers it. */
    @Test
    void aCallIdGeminiGaveGoesBackOnTheCallAndItsResponseAndNoOtherIdDoes() {
        String gemini = GeminiToolCallIds.create("fc-7", "c2ln");
        JsonNode body = map("""
                {"messages":[{"role":"user","content":"Time and weather?"},
                  {"role":"assistant","tool_calls":[
                    {"id":"%s","type":"function","function":{"name":"now","arguments":"{}"}},
                    {"id":"toolu_01","type":"function","function":{"name":"weather","arguments":"{}"}}]},
                  {"role":"tool","tool_call_id":"%s","content":"noon"},
                  {"role":"tool","tool_call_id":"toolu_01","content":"rain"}]}""".formatted(gemini, gemini));

        JsonNode calls = body.at("/contents/1/parts");
        assertThat(calls.at("/0/functionCall/id").stringValue()).isEqualTo("fc-7");
        assertThat(calls.at("/0/thoughtSignature").stringValue()).isEqualTo("c2ln");
        assertThat(calls.at("/1/functionCall/id").isMissingNode()).as("an id Gemini never issued").isTrue();
        JsonNode results = body.at("/contents/2/parts");
        assertThat(results.at("/0/functionResponse/id").stringValue()).isEqualTo("fc-7");
        assertThat(results.at("/1/functionResponse/id").isMissingNode()).isTrue();
        assertThat(results.at("/1/functionResponse/name").stringValue()).isEqualTo("weather");
    }

    /** Gemini's API reference: a function that failed answers with an "error" key, one that ran with "output". */
    @Test
    void aFailedToolsResultIsSentAsTheFunctionsError() {
        JsonNode body = map("""
                {"messages":[{"role":"user","content":"Read it"},
                  {"role":"assistant","tool_calls":[{"id":"call_1","type":"function","function":{"name":"read","arguments":"{}"}}]},
                  {"role":"tool","tool_call_id":"call_1","is_error":true,"content":"No such file"},
                  {"role":"assistant","tool_calls":[{"id":"call_2","type":"function","function":{"name":"read","arguments":"{}"}}]},
                  {"role":"tool","tool_call_id":"call_2","is_error":true,"content":"{\\"code\\":500}"}]}""");

        assertThat(body.at("/contents/2/parts/0/functionResponse/response"))
            .isEqualTo(JSON.readTree("{\"error\":\"No such file\"}"));
        assertThat(body.at("/contents/4/parts/0/functionResponse/response"))
            .as("details that are JSON").isEqualTo(JSON.readTree("{\"error\":{\"code\":500}}"));
    }

    @Test
    void imagesAndAudioFromBase64DataUrlsBecomeInlineData() {
        JsonNode parts = map("""
                {"messages":[{"role":"user","content":[{"type":"text","text":"What is this?"},
                  {"type":"image_url","image_url":{"url":"data:image/png;base64,iVBORw0KGgo=","detail":"low"}},
                  {"type":"input_audio","input_audio":{"data":"UklGRg==","format":"wav"}}]}]}""")
            .at("/contents/0/parts");

        assertThat(parts.at("/0/text").stringValue()).isEqualTo("What is this?");
        assertThat(parts.at("/1/inlineData/mimeType").stringValue()).isEqualTo("image/png");
        assertThat(parts.at("/1/inlineData/data").stringValue()).isEqualTo("iVBORw0KGgo=");
        assertThat(parts.at("/2/inlineData/mimeType").stringValue()).isEqualTo("audio/wav");
    }

    @Test
    void anImageByWebUrlIs400() {
        assertRejected("""
                {"messages":[{"role":"user","content":[
                  {"type":"image_url","image_url":{"url":"https://example.com/cat.png"}}]}]}""",
                "messages[0].content[0]", "base64 data URL");
    }

    @Test
    void parametersGeminiLacksAre400NamingThem() {
        assertRejected("""
                {"messages":[{"role":"user","content":"Hi"}],"logit_bias":{"50256":-100}}""", "logit_bias",
                "not supported for Gemini");
        assertRejected("""
                {"messages":[{"role":"user","content":"Hi"}],"parallel_tool_calls":false}""", "parallel_tool_calls",
                "not supported for Gemini");
        assertRejected("""
                {"messages":[{"role":"user","content":"Hi"}],"logprobs":true}""", "logprobs",
                "not supported for Gemini");
        assertRejected("""
                {"messages":[{"role":"user","content":"Hi"}],"tools":[{"type":"web_search"}]}""", "tools[0]",
                "function tool");
    }

    @Test
    void parametersThatAskForNothingGeminiLacksAreAccepted() {
        JsonNode body = map("""
                {"messages":[{"role":"user","content":"Hi"}],"parallel_tool_calls":true,"logprobs":false,
                 "metadata":{"a":"b"},"store":false,"temperature":null,"prompt_cache_key":"k",
                 "safety_identifier":"u1"}""");

        assertThat(body.has("generationConfig")).isFalse();
    }

    @Test
    void aToolResultForNoKnownCallIs400() {
        assertRejected("""
                {"messages":[{"role":"user","content":"Hi"},{"role":"tool","tool_call_id":"call_x","content":"1"}]}""",
                "messages[1].tool_call_id", "earlier assistant message");
    }

    @Test
    void toolCallArgumentsThatAreNotAJsonObjectAre400() {
        assertRejected("""
                {"messages":[{"role":"user","content":"Hi"},{"role":"assistant","tool_calls":[
                  {"id":"c","type":"function","function":{"name":"f","arguments":"[1,2"}}]}]}""",
                "messages[1].tool_calls[0].function.arguments", "JSON object");
    }

    private String toolChoiceMode(String choice) {
        return map("{\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}],\"tool_choice\":" + choice + "}")
            .at("/toolConfig/functionCallingConfig/mode").stringValue();
    }

    private void assertRejected(String request, String param, String message) {
        assertThatThrownBy(() -> map(request))
            .isInstanceOfSatisfying(ApiException.class, error -> {
                assertThat(error.status().value()).isEqualTo(400);
                assertThat(error.param()).isEqualTo(param);
                assertThat(error.getMessage()).contains(message);
            });
    }

    @Test
    void theCapTheHoldAssumedIsSentOnlyWhenTheRequestHasNone() {
        String uncapped = "{\"messages\":[{\"role\":\"user\",\"content\":\"Q\"}]}";
        String capped = "{\"max_tokens\":7,\"messages\":[{\"role\":\"user\",\"content\":\"Q\"}]}";

        assertThat(mapper.toRequest((ObjectNode) JSON.readTree(uncapped), 4096)
            .at("/generationConfig/maxOutputTokens").asInt()).isEqualTo(4096);
        assertThat(mapper.toRequest((ObjectNode) JSON.readTree(capped), 4096)
            .at("/generationConfig/maxOutputTokens").asInt()).isEqualTo(7);
        assertThat(map(uncapped).has("generationConfig")).isFalse();
    }

    private JsonNode map(String request) {
        return mapper.toRequest((ObjectNode) JSON.readTree(request));
    }

}
