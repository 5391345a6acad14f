package dev.tollgate.proxy;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.MediaType;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.test.web.reactive.server.EntityExchangeResult;
import org.springframework.test.web.reactive.server.WebTestClient;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import dev.tollgate.testsupport.DashboardUser;
import dev.tollgate.testsupport.FakeReply;
import dev.tollgate.testsupport.FakeUpstream;
import dev.tollgate.testsupport.Fixtures;
import dev.tollgate.testsupport.IntegrationTest;
import dev.tollgate.testsupport.JsonVariants;
import dev.tollgate.testsupport.LedgerInvariant;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A provider's answer, whole or streamed, with any one of its values swapped for a value of another type
 * ({@link JsonVariants#VALUES}), reaches the client as an answer or as a 502 {@code upstream_malformed_response} (for
 * a stream already started, a final error event saying so), never as a 500 or an internal error, and the money stays
 * consistent ({@link LedgerInvariant}). It starts from each adapter's recorded answer: OpenAI, Anthropic, Gemini.
 */
@IntegrationTest
class ProviderAnswerValuesIntegrationTests {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private static final String ASK = "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";

    @Autowired
    WebTestClient client;

    @Autowired
    DatabaseClient db;

    String key;

    @BeforeEach
    void setUp() {
        FakeUpstream.shared().reset();
        key = DashboardUser.signUp(client).createKey("provider answers");
    }

    @Test
    void wholeAnswersAreRelayedOrA502() {
        assertEachVariantAnswered(Map.of(
                "openai/gpt-4o-mini", JSON.readTree(Fixtures.text("openai/chat-completion.json")),
                "anthropic/claude-sonnet-4-5", JSON.readTree(Fixtures.text("anthropic/message-recording.json"))
                    .get(0).path("response").path("body"),
                "google/gemini-2.5-flash", JSON.readTree(Fixtures.text("gemini/generate-content.json"))),
                model -> post("/v1/chat/completions", "{\"model\":\"" + model + "\"," + ASK));
    }

    /** Through the Messages API the answer is translated again, into Anthropic's shape. */
    @Test
    void messagesAnswersAreRelayedOrA502() {
        assertEachVariantAnswered(Map.of(
                "openai/gpt-4o-mini", JSON.readTree(Fixtures.text("openai/chat-completion.json")),
                "google/gemini-2.5-flash", JSON.readTree(Fixtures.text("gemini/generate-content.json"))),
                model -> post("/v1/messages", "{\"model\":\"" + model + "\",\"max_tokens\":10," + ASK));
    }

    @Test
    void embeddingsAreRelayedOrA502() {
        assertEachVariantAnswered(Map.of(
                "openai/text-embedding-3-small", JSON.readTree("""
                        {"object":"list","data":[{"object":"embedding","embedding":[0.0023,-0.0093],"index":0}],
                         "model":"text-embedding-3-small","usage":{"prompt_tokens":8,"total_tokens":8}}"""),
                "google/gemini-embedding-001", JSON.readTree("""
                        {"embeddings":[{"values":[0.1,-0.2]}],"usageMetadata":{"promptTokenCount":3}}""")),
                model -> post("/v1/embeddings", "{\"model\":\"" + model + "\",\"input\":\"hi\"}"));
    }

    /** Each variant of each model's answer, given to the call {@code ask} makes for that model. */
    private void assertEachVariantAnswered(Map<String, JsonNode> answers,
            Function<String, EntityExchangeResult<String>> ask) {
        List<String> failures = new ArrayList<>();
        answers.forEach((model, answer) -> {
            for (String pointer : JsonVariants.pointers(answer)) {
                for (String value : JsonVariants.VALUES) {
                    FakeUpstream.shared().reset();
                    FakeUpstream.shared().enqueueFailure(FakeReply.json(200,
                            JsonVariants.replaced(answer, pointer, value).toString()));
                    String problem = JsonVariants.problem(ask.apply(model));
                    if (problem != null) {
                        failures.add(problem + ": " + model + " " + pointer + " = " + value);
                    }
                }
            }
        });
        assertThat(failures).isEmpty();
        new LedgerInvariant(db).holds();
    }

    @Test
    void streamsAreRelayedOrEndWithTheProvidersFault() {
        assertEachStreamVariantEnds("/v1/chat/completions", "\"stream_options\":{\"include_usage\":true},",
                "data: [DONE]");
    }

    /** Translated into Anthropic's events, which end with message_stop, or with an error event. */
    @Test
    void messagesStreamsAreRelayedOrEndWithTheProvidersFault() {
        assertEachStreamVariantEnds("/v1/messages", "\"max_tokens\":10,", "event: message_stop");
    }

    private void assertEachStreamVariantEnds(String path, String options, String end) {
        Map<String, String> streams = Map.of(
                "openai/gpt-4o-mini", Fixtures.text("openai/stream-text-usage.sse"),
                "anthropic/claude-sonnet-4-5", Fixtures.text("anthropic/stream-text.sse"),
                "google/gemini-2.5-flash", Fixtures.text("gemini/stream-text.sse"));
        List<String> failures = new ArrayList<>();
        streams.forEach((model, sse) -> {
            List<String> events = List.of(sse.split("\n\n"));
            for (int e = 0; e < events.size(); e++) {
                int data = events.get(e).indexOf("data:");
                if (data < 0 || events.get(e).contains("[DONE]")) {
                    continue;
                }
                String field = events.get(e).substring(0, data + "data:".length());
                JsonNode event = JSON.readTree(events.get(e).substring(data + "data:".length()));
                for (String pointer : JsonVariants.pointers(event)) {
                    for (String value : JsonVariants.VALUES) {
                        List<String> variant = new ArrayList<>(events);
                        variant.set(e, field + " " + JsonVariants.replaced(event, pointer, value));
                        FakeUpstream.shared().reset();
                        FakeUpstream.shared().enqueueFailure(FakeReply.sse(String.join("\n\n", variant) + "\n\n"));
                        String problem = streamProblem(post(path, "{\"model\":\"" + model + "\",\"stream\":true,"
                                + options + ASK), end);
                        if (problem != null) {
                            failures.add(problem + ": " + model + " event " + e + " " + pointer + " = " + value);
                        }
                    }
                }
            }
        });
        assertThat(failures).isEmpty();
        new LedgerInvariant(db).holds();
    }

    private EntityExchangeResult<String> post(String path, String body) {
        return client.post().uri(path).header("Authorization", "Bearer " + key)
            .contentType(MediaType.APPLICATION_JSON).bodyValue(body).exchange()
            .expectBody(String.class).returnResult();
    }

    /** A stream must end as {@code end} says, or with an error event that is not Tollgate's own internal error. */
    private static String streamProblem(EntityExchangeResult<String> result, String end) {
        if (result.getStatus().value() != 200) {
            return JsonVariants.problem(result);
        }
        String body = result.getResponseBody() == null ? "" : result.getResponseBody();
        if (body.contains("\"code\":\"internal_error\"")) {
            return "an internal error event";
        }
        return body.contains(end) || body.contains("{\"error\":{") || body.contains("\"type\":\"error\"") ? null
                : "a stream without its end";
    }

}
