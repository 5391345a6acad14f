package dev.tollgate.proxy;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.EntityExchangeResult;
import org.springframework.test.web.reactive.server.WebTestClient;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

import dev.tollgate.testsupport.DashboardUser;
import dev.tollgate.testsupport.FakeUpstream;
import dev.tollgate.testsupport.IntegrationTest;
import dev.tollgate.testsupport.JsonVariants;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every field a client sends, top-level and nested, given a value of each JSON type ({@link JsonVariants#VALUES}),
 * answers as the API promises: an answer, a 4xx in OpenAI's error shape, or a 502 about the provider (the fake upstream
 * answers in OpenAI's format whatever the provider, which the Anthropic and Gemini adapters then refuse).
 * Never a 500: Jackson 3's {@code asString()}, {@code asLong()} and {@code stringValue()} throw for a value of another
 * type, where Jackson 2's answered a default, and readers, mappers and translators used them on client input. The
 * chat requests go to a model of each adapter (OpenAI, Anthropic, Gemini).
 */
@IntegrationTest
class ClientFieldValuesIntegrationTests {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private static final List<String> CHAT_MODELS = List.of("openai/gpt-4o-mini", "anthropic/claude-sonnet-4-5",
            "google/gemini-2.5-flash");

    private static final String USER = "{\"role\":\"user\",\"content\":\"hi\"}";

    /** With the tool message that answers it. */
    private static final String TOOL_CALL = "{\"role\":\"assistant\",\"content\":null,\"tool_calls\":[%s]},"
            + "{\"role\":\"tool\",\"tool_call_id\":%s,\"content\":%s}";

    /** Request members, {@code @} where each value goes; merged into a valid request. */
    private static final List<String> CHAT_MEMBERS = List.of(
            "{\"model\":@}", "{\"messages\":@}", "{\"stream\":@}", "{\"stream_options\":@}", "{\"max_tokens\":@}",
            "{\"max_completion_tokens\":@}", "{\"temperature\":@}", "{\"top_p\":@}", "{\"n\":@}", "{\"stop\":@}",
            "{\"tools\":@}", "{\"tool_choice\":@}", "{\"response_format\":@}", "{\"user\":@}", "{\"provider\":@}",
            "{\"models\":@}", "{\"seed\":@}", "{\"logit_bias\":@}", "{\"parallel_tool_calls\":@}",
            "{\"modalities\":@}", "{\"frequency_penalty\":@}", "{\"presence_penalty\":@}", "{\"metadata\":@}",
            "{\"store\":@}", "{\"service_tier\":@}", "{\"reasoning_effort\":@}", "{\"logprobs\":@}",
            "{\"top_logprobs\":@}", "{\"top_k\":@}", "{\"usage\":@}", "{\"prediction\":@}", "{\"audio\":@}",
            "{\"tools\":[{\"type\":\"function\",\"function\":@}]}",
            "{\"tools\":[{\"type\":@,\"function\":{\"name\":\"f\"}}]}",
            "{\"tools\":[{\"type\":\"function\",\"function\":{\"name\":@}}]}",
            "{\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"f\",\"description\":@}}]}",
            "{\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"f\",\"parameters\":@}}]}",
            "{\"tool_choice\":{\"type\":\"function\",\"function\":@}}",
            "{\"tool_choice\":{\"type\":\"function\",\"function\":{\"name\":@}}}", "{\"tool_choice\":{\"type\":@}}",
            "{\"response_format\":{\"type\":@}}",
            "{\"response_format\":{\"type\":\"json_schema\",\"json_schema\":@}}",
            "{\"response_format\":{\"type\":\"json_schema\",\"json_schema\":{\"name\":\"s\",\"schema\":@}}}",
            "{\"stream\":true,\"stream_options\":{\"include_usage\":@}}", "{\"provider\":{\"order\":@}}",
            "{\"provider\":{\"only\":@}}", "{\"provider\":{\"ignore\":@}}", "{\"provider\":{\"allow_fallbacks\":@}}",
            "{\"provider\":{\"sort\":@}}", "{\"models\":[@]}", "{\"stop\":[@]}", "{\"modalities\":[@]}",
            "{\"logit_bias\":{\"1\":@}}",
            "{\"messages\":[{\"role\":@,\"content\":\"hi\"}]}", "{\"messages\":[{\"role\":\"user\",\"content\":@}]}",
            "{\"messages\":[{\"role\":\"user\",\"content\":\"hi\",\"name\":@}]}",
            "{\"messages\":[{\"role\":\"user\",\"content\":[@]}]}",
            "{\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":@,\"text\":\"hi\"}]}]}",
            "{\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":@}]}]}",
            "{\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"hi\","
                    + "\"cache_control\":@}]}]}",
            "{\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"image_url\",\"image_url\":@}]}]}",
            "{\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"image_url\",\"image_url\":{\"url\":@}}]}]}",
            "{\"messages\":[{\"role\":\"system\",\"content\":@}," + USER + "]}",
            "{\"messages\":[" + USER + ",{\"role\":\"assistant\",\"content\":@}]}",
            "{\"messages\":[" + USER + ",{\"role\":\"assistant\",\"content\":null,\"tool_calls\":@}]}",
            "{\"messages\":[" + USER + "," + TOOL_CALL.formatted("@", "\"c\"", "\"r\"") + "]}",
            "{\"messages\":[" + USER + "," + TOOL_CALL.formatted(
                    "{\"id\":\"c\",\"type\":\"function\",\"function\":@}", "\"c\"", "\"r\"") + "]}",
            "{\"messages\":[" + USER + "," + TOOL_CALL.formatted(
                    "{\"id\":\"c\",\"type\":\"function\",\"function\":{\"name\":\"f\",\"arguments\":@}}", "\"c\"",
                    "\"r\"") + "]}",
            "{\"messages\":[" + USER + "," + TOOL_CALL.formatted(
                    "{\"id\":@,\"type\":\"function\",\"function\":{\"name\":\"f\",\"arguments\":\"{}\"}}", "@",
                    "@") + "]}");

    private static final List<String> MESSAGES_MEMBERS = List.of(
            "{\"model\":@}", "{\"max_tokens\":@}", "{\"messages\":@}", "{\"system\":@}", "{\"stream\":@}",
            "{\"tools\":@}", "{\"tool_choice\":@}", "{\"metadata\":@}", "{\"stop_sequences\":@}",
            "{\"temperature\":@}", "{\"top_p\":@}", "{\"top_k\":@}", "{\"thinking\":@}", "{\"output_config\":@}",
            "{\"system\":[{\"type\":@,\"text\":\"s\"}]}", "{\"system\":[{\"type\":\"text\",\"text\":@}]}",
            "{\"messages\":[{\"role\":@,\"content\":\"hi\"}]}", "{\"messages\":[{\"role\":\"user\",\"content\":@}]}",
            "{\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":@}]}]}",
            "{\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":@}]}]}",
            "{\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"image\",\"source\":@}]}]}",
            "{\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"image\",\"source\":{\"type\":@}}]}]}",
            "{\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"image\",\"source\":{\"type\":\"base64\","
                    + "\"media_type\":@,\"data\":\"AA==\"}}]}]}",
            "{\"messages\":[" + USER + ",{\"role\":\"assistant\",\"content\":[{\"type\":\"tool_use\",\"id\":@,"
                    + "\"name\":@,\"input\":@}]},{\"role\":\"user\",\"content\":[{\"type\":\"tool_result\","
                    + "\"tool_use_id\":@,\"content\":@}]}]}",
            "{\"tools\":[{\"name\":@,\"input_schema\":{}}]}", "{\"tools\":[{\"name\":\"f\",\"input_schema\":@}]}",
            "{\"tools\":[{\"name\":\"f\",\"description\":@,\"input_schema\":{}}]}", "{\"tool_choice\":{\"type\":@}}",
            "{\"tool_choice\":{\"type\":\"tool\",\"name\":@}}", "{\"metadata\":{\"user_id\":@}}",
            "{\"output_config\":{\"format\":@}}", "{\"thinking\":{\"type\":@}}");

    private static final List<String> EMBEDDINGS_MEMBERS = List.of("{\"model\":@}", "{\"input\":@}",
            "{\"input\":[@]}", "{\"dimensions\":@}", "{\"encoding_format\":@}", "{\"user\":@}");

    @Autowired
    WebTestClient client;

    String key;

    @BeforeEach
    void setUp() {
        FakeUpstream.shared().reset();
        key = DashboardUser.signUp(client).createKey("field values");
    }

    @Test
    void chatCompletionsNeverAnswer500() {
        List<String> failures = new ArrayList<>();
        for (String model : CHAT_MODELS) {
            tryEach("/v1/chat/completions", "{\"model\":\"" + model + "\",\"messages\":[" + USER + "]}",
                    CHAT_MEMBERS, failures);
        }
        assertThat(failures).isEmpty();
    }

    @Test
    void messagesNeverAnswer500() {
        List<String> failures = new ArrayList<>();
        tryEach("/v1/messages", "{\"model\":\"openai/gpt-4o-mini\",\"max_tokens\":10,\"messages\":[" + USER + "]}",
                MESSAGES_MEMBERS, failures);
        assertThat(failures).isEmpty();
    }

    @Test
    void embeddingsNeverAnswer500() {
        List<String> failures = new ArrayList<>();
        for (String model : List.of("openai/text-embedding-3-small", "google/gemini-embedding-001")) {
            tryEach("/v1/embeddings", "{\"model\":\"" + model + "\",\"input\":\"hi\"}", EMBEDDINGS_MEMBERS,
                    failures);
        }
        assertThat(failures).isEmpty();
    }

    private void tryEach(String path, String valid, List<String> members, List<String> failures) {
        for (String member : members) {
            for (String value : JsonVariants.VALUES) {
                ObjectNode body = (ObjectNode) JSON.readTree(valid);
                JSON.readTree(member.replace("@", value)).properties()
                    .forEach(entry -> body.set(entry.getKey(), entry.getValue()));
                String problem = JsonVariants.problem(post(path, body.toString()));
                if (problem != null) {
                    failures.add(problem + ": " + path + " " + body);
                }
            }
        }
    }

    private EntityExchangeResult<String> post(String path, String body) {
        FakeUpstream.shared().reset();
        return client.post().uri(path).header("Authorization", "Bearer " + key)
            .contentType(MediaType.APPLICATION_JSON).bodyValue(body).exchange()
            .expectBody(String.class).returnResult();
    }

}
