package dev.tollgate.guardrails;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.micrometer.core.instrument.MeterRegistry;
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
import dev.tollgate.testsupport.IntegrationTest;
import dev.tollgate.testsupport.RequestLog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A tenant's guardrails, set through {@code /api/guardrails}, on every prompt its keys send: personal data redacted
 * before any provider sees it, or the call refused; blocked terms refused; other tenants untouched.
 */
@IntegrationTest
class GuardrailsIntegrationTests {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private static final String EMAIL = "ada.lovelace@analytical-engines.co.uk";

    @Autowired
    WebTestClient client;

    @Autowired
    DatabaseClient db;

    @Autowired
    MeterRegistry meters;

    final FakeUpstream upstream = FakeUpstream.shared();

    DashboardUser user;

    String key;

    @BeforeEach
    void setUp() {
        upstream.reset();
        user = DashboardUser.signUp(client);
        key = user.createKey("guarded");
    }

    @Test
    void aTenantWithoutGuardrailsHasNone() {
        JsonNode guardrails = user.getJson("/api/guardrails");

        assertThat(guardrails.path("pii").stringValue()).isEqualTo("off");
        assertThat(guardrails.path("blockedTerms").isEmpty()).isTrue();
    }

    @Test
    void personalDataIsRedactedBeforeTheProviderSeesItAndTheCallSaysHowMuch() {
        setGuardrails("redact", List.of());
        double redactedCards = redactions("card");

        EntityExchangeResult<byte[]> result = chat(Map.of("model", "openai/gpt-4o-mini", "messages", List.of(
                Map.of("role", "system", "content", "The customer is " + EMAIL + "."),
                Map.of("role", "user", "content", List.of(
                        Map.of("type", "text", "text", "Call me on +44 20 7946 0018."),
                        Map.of("type", "image_url", "image_url", Map.of("url", "https://example.com/a.png")),
                        Map.of("type", "text", "text", "My card is 4111 1111 1111 1111, what is my balance?"))))))
            .expectStatus().isOk()
            .expectBody().returnResult();

        JsonNode sent = upstream.takeRequest().json();
        assertThat(sent.at("/messages/0/content").stringValue()).isEqualTo("The customer is [EMAIL].");
        assertThat(sent.at("/messages/1/content/0/text").stringValue()).isEqualTo("Call me on [PHONE].");
        assertThat(sent.at("/messages/1/content/1/image_url/url").stringValue())
            .isEqualTo("https://example.com/a.png");
        assertThat(sent.at("/messages/1/content/2/text").stringValue())
            .isEqualTo("My card is [CARD_NUMBER], what is my balance?");
        assertThat(sent.toString()).doesNotContain(EMAIL).doesNotContain("4111");

        String generationId = result.getResponseHeaders().getFirst("x-tollgate-generation-id");
        assertThat(new RequestLog(db).row(generationId).get("pii_redactions")).isEqualTo(3);
        JsonNode item = await().atMost(Duration.ofSeconds(5))
            .until(() -> user.getJson("/api/activity").path("data").get(0), row -> row != null);
        assertThat(item.path("piiRedactions").asInt()).isEqualTo(3);
        assertThat(redactions("card") - redactedCards).isEqualTo(1.0);
    }

    @Test
    void everyShapeAProviderTurnsIntoPromptTextIsRedacted() {
        setGuardrails("redact", List.of());
        upstream.enqueue(FakeReply.json(200, """
                {"candidates":[{"content":{"role":"model","parts":[{"text":"Done."}]},"finishReason":"STOP"}],
                 "usageMetadata":{"promptTokenCount":40,"candidatesTokenCount":2,"totalTokenCount":42}}"""));

        // A tool result's parts without a type, and an assistant's refusal part: Gemini's mapper sends their text.
        chat(Map.of("model", "google/gemini-2.5-flash", "messages", List.of(
                Map.of("role", "user", "content", "Look the customer up"),
                Map.of("role", "assistant", "content", List.of(Map.of("type", "refusal", "refusal",
                        "I will not email " + EMAIL)),
                        "tool_calls", List.of(Map.of("id", "c1", "type", "function",
                                "function", Map.of("name", "lookup", "arguments", "{}")))),
                Map.of("role", "tool", "tool_call_id", "c1", "content", List.of(Map.of("text", "SSN 078-05-1120"))))))
            .expectStatus().isOk();
        String gemini = upstream.takeRequest().json().toString();
        assertThat(gemini).contains("[SSN]").contains("[EMAIL]").doesNotContain("078-05-1120").doesNotContain(EMAIL);

        // OpenAI-compatible providers get the end-user id, metadata and a predicted output as they are.
        chat(Map.of("model", "openai/gpt-4o-mini", "user", EMAIL, "metadata", Map.of("customer", EMAIL),
                "prediction", Map.of("type", "content", "content", "Dear " + EMAIL),
                "messages", List.of(Map.of("role", "user", "content", "Draft the letter"))))
            .expectStatus().isOk();
        JsonNode openAi = upstream.takeRequest().json();
        assertThat(openAi.path("user").stringValue()).isEqualTo("[EMAIL]");
        assertThat(openAi.at("/metadata/customer").stringValue()).isEqualTo("[EMAIL]");
        assertThat(openAi.at("/prediction/content").stringValue()).isEqualTo("Dear [EMAIL]");
    }

    /**
     * The arguments a model passed to a tool go back to the provider with the rest of the conversation: an email a
     * tool was called with reached it unredacted, and so did a card number written as a JSON number.
     */
    @Test
    void anEarlierTurnsToolCallArgumentsAreRedactedAndStayJson() {
        setGuardrails("redact", List.of());
        double redactedCards = redactions("card");

        chat(Map.of("model", "openai/gpt-4o-mini", "messages", List.of(
                Map.of("role", "user", "content", "Refund the customer"),
                Map.of("role", "assistant", "tool_calls", List.of(
                        Map.of("id", "c1", "type", "function", "function", Map.of("name", "refund",
                                "arguments", "{\"to\": [\"" + EMAIL + "\"], \"card\": 4111111111111111, "
                                        + "\"amount\": 1234567890123, \"note\": {\"by\": \"ops\"}}")),
                        Map.of("id", "c2", "type", "function", "function", Map.of("name", "notify",
                                "arguments", "not json, mail " + EMAIL)),
                        Map.of("id", "c3", "type", "function", "function", Map.of("name", "notify",
                                "arguments", "{\"a\": 1} then mail " + EMAIL)))),
                Map.of("role", "tool", "tool_call_id", "c1", "content", "done"),
                Map.of("role", "tool", "tool_call_id", "c2", "content", "done"),
                Map.of("role", "tool", "tool_call_id", "c3", "content", "done"))))
            .expectStatus().isOk();

        JsonNode calls = upstream.takeRequest().json().at("/messages/1/tool_calls");
        JsonNode refund = JSON.readTree(calls.at("/0/function/arguments").stringValue());
        assertThat(refund.at("/to/0").stringValue()).isEqualTo("[EMAIL]");
        assertThat(refund.path("card").stringValue()).isEqualTo("[CARD_NUMBER]");
        assertThat(refund.path("amount").asLong()).as("a number that is no card stays a number")
            .isEqualTo(1234567890123L);
        assertThat(refund.at("/note/by").stringValue()).isEqualTo("ops");
        assertThat(calls.at("/1/function/arguments").stringValue()).isEqualTo("not json, mail [EMAIL]");
        assertThat(calls.at("/2/function/arguments").stringValue()).as("JSON with more after it is no JSON")
            .isEqualTo("{\"a\": 1} then mail [EMAIL]");
        assertThat(redactions("card") - redactedCards).isEqualTo(1.0);

        // Anthropic's tool_use input, through /v1/messages to an Anthropic model.
        upstream.enqueue(FakeReply.sseFixture("anthropic/stream-live.sse"));
        client.post().uri("/v1/messages").header("x-api-key", key).contentType(MediaType.APPLICATION_JSON)
            .bodyValue(Map.of("model", "anthropic/claude-sonnet-4-5", "max_tokens", 64, "stream", true,
                    "messages", List.of(
                            Map.of("role", "user", "content", "Refund the customer"),
                            Map.of("role", "assistant", "content", List.of(Map.of("type", "tool_use", "id", "toolu_1",
                                    "name", "refund", "input", Map.of("to", EMAIL)))),
                            Map.of("role", "user", "content", List.of(Map.of("type", "tool_result",
                                    "tool_use_id", "toolu_1", "content", "done"))))))
            .exchange()
            .expectStatus().isOk()
            .expectBody(String.class).returnResult();
        JsonNode toolUse = upstream.takeRequest().json().at("/messages/1/content/0");
        assertThat(toolUse.path("type").stringValue()).isEqualTo("tool_use");
        assertThat(toolUse.at("/input/to").stringValue()).isEqualTo("[EMAIL]");

        setGuardrails("off", List.of("Project Falcon"));
        chat(Map.of("model", "openai/gpt-4o-mini", "messages", List.of(
                Map.of("role", "assistant", "tool_calls", List.of(Map.of("id", "c1", "type", "function",
                        "function", Map.of("name", "search", "arguments", "{\"q\": \"project\\nfalcon\"}")))),
                Map.of("role", "tool", "tool_call_id", "c1", "content", "nothing found"))))
            .expectStatus().isBadRequest()
            .expectBody().jsonPath("$.error.code").isEqualTo("content_policy_violation");
        assertThat(upstream.requestCount()).isZero();
    }

    /**
     * With screenAnswers the rules hold for what comes back too: a whole answer's email redacted, a stream cut before
     * a blocked term with content_filter (refusal on /v1/messages), and an answer the cache kept before the rules
     * changed served screened. What the provider wrote is billed all the same.
     */
    @Test
    void answersAreScreenedWhenTheTenantAsks() {
        user.put("/api/guardrails", Map.of("pii", "redact", "blockedTerms", List.of("Project Falcon"),
                "screenAnswers", true)).expectStatus().isOk()
            .expectBody().jsonPath("$.screenAnswers").isEqualTo(true);
        assertThat(user.getJson("/api/guardrails").path("screenAnswers").asBoolean()).isTrue();

        upstream.enqueue(FakeReply.json(200, """
                {"id":"chatcmpl-G1","object":"chat.completion","created":1733000000,"model":"gpt-4o-mini",
                 "choices":[{"index":0,"message":{"role":"assistant","content":"Write to ops@example.com."},
                   "finish_reason":"stop"}],
                 "usage":{"prompt_tokens":9,"completion_tokens":7,"total_tokens":16}}"""));
        EntityExchangeResult<byte[]> whole = chat(Map.of("model", "openai/gpt-4o-mini",
                "messages", List.of(Map.of("role", "user", "content", "Who do I write to?"))))
            .expectStatus().isOk()
            .expectBody().jsonPath("$.choices[0].message.content").isEqualTo("Write to [EMAIL].")
            .jsonPath("$.usage.completion_tokens").isEqualTo(7)
            .returnResult();
        assertThat(new String(whole.getResponseBodyContent())).doesNotContain("ops@example.com");

        upstream.enqueue(FakeReply.sse("""
                data: {"id":"chatcmpl-G2","object":"chat.completion.chunk","created":1,"model":"gpt-4o-mini","choices":[{"index":0,"delta":{"role":"assistant","content":"It is Project Fal"},"finish_reason":null}]}

                data: {"id":"chatcmpl-G2","object":"chat.completion.chunk","created":1,"model":"gpt-4o-mini","choices":[{"index":0,"delta":{"content":"con, the secret one."},"finish_reason":null}]}

                data: {"id":"chatcmpl-G2","object":"chat.completion.chunk","created":1,"model":"gpt-4o-mini","choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}

                data: {"id":"chatcmpl-G2","object":"chat.completion.chunk","created":1,"model":"gpt-4o-mini","choices":[],"usage":{"prompt_tokens":9,"completion_tokens":8,"total_tokens":17}}

                data: [DONE]

                """));
        String streamed = new String(chat(Map.of("model", "openai/gpt-4o-mini", "stream", true,
                "messages", List.of(Map.of("role", "user", "content", "Which project?"))))
            .expectStatus().isOk().expectBody().returnResult().getResponseBodyContent());
        assertThat(streamed).doesNotContain("Fal").contains("\"content\":\"It is \"")
            .contains("\"finish_reason\":\"content_filter\"").doesNotContain("\"finish_reason\":\"stop\"")
            .contains("data: [DONE]");

        user.put("/api/guardrails", Map.of("pii", "off", "blockedTerms", List.of("there"), "screenAnswers", true))
            .expectStatus().isOk();
        upstream.enqueue(FakeReply.sseFixture("anthropic/stream-text.sse"));
        String messages = client.post().uri("/v1/messages").header("x-api-key", key)
            .contentType(MediaType.APPLICATION_JSON)
            .bodyValue(Map.of("model", "anthropic/claude-sonnet-4-5", "max_tokens", 64, "stream", true,
                    "messages", List.of(Map.of("role", "user", "content", "Hi"))))
            .exchange()
            .expectStatus().isOk()
            .expectBody(String.class).returnResult().getResponseBody();
        assertThat(messages).contains("\"stop_reason\":\"refusal\"").contains("message_stop")
            .doesNotContain("there");

        // Kept in the cache before the rules screened answers, served screened.
        user.put("/api/guardrails", Map.of("pii", "off", "blockedTerms", List.of())).expectStatus().isOk();
        upstream.enqueue(FakeReply.json(200, """
                {"id":"chatcmpl-G3","object":"chat.completion","created":1733000000,"model":"gpt-4o-mini",
                 "choices":[{"index":0,"message":{"role":"assistant","content":"Call +44 20 7946 0018."},
                   "finish_reason":"stop"}],
                 "usage":{"prompt_tokens":9,"completion_tokens":7,"total_tokens":16}}"""));
        Map<String, Object> phone = Map.of("model", "openai/gpt-4o-mini",
                "messages", List.of(Map.of("role", "user", "content", "The support line?")));
        cachedChat(phone).expectBody().jsonPath("$.choices[0].message.content").isEqualTo("Call +44 20 7946 0018.");
        user.put("/api/guardrails", Map.of("pii", "redact", "blockedTerms", List.of(), "screenAnswers", true))
            .expectStatus().isOk();
        cachedChat(phone).expectHeader().valueEquals("x-tollgate-cache", "hit")
            .expectBody().jsonPath("$.choices[0].message.content").isEqualTo("Call [PHONE].");
    }

    private WebTestClient.ResponseSpec cachedChat(Map<String, ?> body) {
        return client.post().uri("/v1/chat/completions").header("Authorization", "Bearer " + key)
            .header("x-tollgate-cache", "true").contentType(MediaType.APPLICATION_JSON).bodyValue(body).exchange()
            .expectStatus().isOk();
    }

    @Test
    void aLongPromptIsScreenedOffTheEventLoopAndRedactedAllTheSame() {
        setGuardrails("redact", List.of());
        String filler = "lorem ipsum dolor sit amet ".repeat(1_000);
        assertThat(filler.length()).isGreaterThan(PromptGuard.INLINE_CHARS);

        chat(Map.of("model", "openai/gpt-4o-mini",
                "messages", List.of(Map.of("role", "user", "content", filler + EMAIL + " " + filler))))
            .expectStatus().isOk();

        String sent = upstream.takeRequest().json().at("/messages/0/content").stringValue();
        // Compared piece by piece: a failure printing two 54K-character strings helps nobody.
        assertThat(sent.length()).isEqualTo(2 * filler.length() + "[EMAIL] ".length());
        assertThat(sent.indexOf("[EMAIL]")).isEqualTo(filler.length());
        assertThat(sent.contains(EMAIL)).isFalse();
    }

    @Test
    void anotherTenantsPromptsGoAsWritten() {
        setGuardrails("redact", List.of("Falcon"));
        DashboardUser other = DashboardUser.signUp(client);
        String otherKey = other.createKey("unguarded");

        chat(otherKey, Map.of("model", "openai/gpt-4o-mini",
                "messages", List.of(Map.of("role", "user", "content", "Mail " + EMAIL + " about Falcon"))))
            .expectStatus().isOk();

        assertThat(upstream.takeRequest().json().at("/messages/0/content").stringValue())
            .isEqualTo("Mail " + EMAIL + " about Falcon");
    }

    @Test
    void blockModeRefusesPersonalDataWithoutCallingAProviderOrCharging() {
        setGuardrails("block", List.of());

        EntityExchangeResult<byte[]> result = chat(Map.of("model", "openai/gpt-4o-mini", "stream", true,
                "messages", List.of(Map.of("role", "user", "content", "I am " + EMAIL + ", SSN 078-05-1120"))))
            .expectStatus().isBadRequest()
            .expectHeader().contentType(MediaType.APPLICATION_JSON)
            .expectBody()
            .jsonPath("$.error.code").isEqualTo("personal_data_blocked")
            .jsonPath("$.error.type").isEqualTo("invalid_request_error")
            .jsonPath("$.error.message").isEqualTo("The prompt contains personal data (an email address, a US social "
                    + "security number) and your organization's guardrails block it.")
            .returnResult();

        assertThat(new String(result.getResponseBody())).doesNotContain(EMAIL).doesNotContain("078-05");
        assertThat(upstream.requestCount()).isZero();
        Map<String, Object> row = new RequestLog(db).row(result.getResponseHeaders()
            .getFirst("x-tollgate-generation-id"));
        assertThat(row.get("status")).isEqualTo(400);
        assertThat(row.get("error_code")).isEqualTo("personal_data_blocked");
        assertThat(row.get("charge_micros")).isEqualTo(0L);
    }

    @Test
    void aBlockedTermRefusesTheCallWhicheverApiItCameThrough() {
        setGuardrails("off", List.of("Project Falcon"));

        chat(Map.of("model", "openai/gpt-4o-mini",
                "messages", List.of(Map.of("role", "user", "content", "Summarise the PROJECT FALCON memo"))))
            .expectStatus().isBadRequest()
            .expectBody().jsonPath("$.error.code").isEqualTo("content_policy_violation");
        client.post().uri("/v1/messages").header("x-api-key", key).contentType(MediaType.APPLICATION_JSON)
            .bodyValue(Map.of("model", "anthropic/claude-sonnet-4-5", "max_tokens", 64,
                    "system", "Project Falcon is confidential.",
                    "messages", List.of(Map.of("role", "user", "content", "Hi"))))
            .exchange()
            .expectStatus().isBadRequest()
            .expectBody().jsonPath("$.error.code").isEqualTo("content_policy_violation");
        client.post().uri("/v1/embeddings").header("Authorization", "Bearer " + key)
            .contentType(MediaType.APPLICATION_JSON)
            .bodyValue(Map.of("model", "openai/text-embedding-3-small", "input", List.of("ok", "project falcon")))
            .exchange()
            .expectStatus().isBadRequest()
            .expectBody().jsonPath("$.error.code").isEqualTo("content_policy_violation")
            .jsonPath("$.error.param").isEqualTo("input");

        assertThat(upstream.requestCount()).isZero();
        chat(Map.of("model", "openai/gpt-4o-mini",
                "messages", List.of(Map.of("role", "user", "content", "Falcons are fast"))))
            .expectStatus().isOk();
    }

    @Test
    void anthropicsMessagesAndEmbeddingsAreRedactedToo() {
        setGuardrails("redact", List.of());
        upstream.enqueue(FakeReply.sseFixture("anthropic/stream-live.sse"));

        client.post().uri("/v1/messages").header("x-api-key", key).contentType(MediaType.APPLICATION_JSON)
            .bodyValue(Map.of("model", "anthropic/claude-sonnet-4-5", "max_tokens", 64, "stream", true,
                    "system", "Reply to " + EMAIL,
                    "messages", List.of(Map.of("role", "user", "content", List.of(
                            Map.of("type", "text", "text", "My number is (415) 555-0100"))))))
            .exchange()
            .expectStatus().isOk()
            .expectBody(String.class).returnResult();

        JsonNode sent = upstream.takeRequest().json();
        assertThat(sent.toString()).contains("Reply to [EMAIL]").contains("My number is [PHONE]")
            .doesNotContain(EMAIL).doesNotContain("555-0100");

        upstream.enqueue(FakeReply.json(200, """
                {"object":"list","data":[{"object":"embedding","embedding":[0.1],"index":0}],
                 "model":"text-embedding-3-small","usage":{"prompt_tokens":5,"total_tokens":5}}"""));
        client.post().uri("/v1/embeddings").header("Authorization", "Bearer " + key)
            .contentType(MediaType.APPLICATION_JSON)
            .bodyValue(Map.of("model", "openai/text-embedding-3-small", "input", "ticket from " + EMAIL))
            .exchange()
            .expectStatus().isOk();
        assertThat(upstream.takeRequest().json().path("input").stringValue()).isEqualTo("ticket from [EMAIL]");
    }

    @Test
    void settingsAreValidatedAndCanBeTurnedOff() {
        user.put("/api/guardrails", Map.of("pii", "sometimes")).expectStatus().isBadRequest()
            .expectBody().jsonPath("$.error.param").isEqualTo("pii");
        user.put("/api/guardrails", Map.of("blockedTerms", List.of("x"))).expectStatus().isBadRequest()
            .expectBody().jsonPath("$.error.param").isEqualTo("pii");
        client.put().uri("/api/guardrails").contentType(MediaType.APPLICATION_JSON)
            .bodyValue(Map.of("pii", "redact")).exchange()
            .expectStatus().value(status -> assertThat(status).isIn(401, 403));

        setGuardrails("block", List.of(" Falcon ", "falcon", "Osprey"));
        JsonNode saved = user.getJson("/api/guardrails");
        assertThat(saved.path("pii").stringValue()).isEqualTo("block");
        assertThat(saved.path("blockedTerms").toString()).isEqualTo("[\"Falcon\",\"Osprey\"]");

        setGuardrails("off", List.of());
        assertThat(user.getJson("/api/guardrails").path("pii").stringValue()).isEqualTo("off");
        chat(Map.of("model", "openai/gpt-4o-mini",
                "messages", List.of(Map.of("role", "user", "content", "Falcon, " + EMAIL))))
            .expectStatus().isOk();
        assertThat(upstream.takeRequest().json().at("/messages/0/content").stringValue())
            .isEqualTo("Falcon, " + EMAIL);
    }

    private void setGuardrails(String pii, List<String> terms) {
        user.put("/api/guardrails", Map.of("pii", pii, "blockedTerms", terms)).expectStatus().isOk()
            .expectBody().jsonPath("$.pii").isEqualTo(pii);
    }

    private double redactions(String reason) {
        return meters.get("tollgate.guardrails.actions").tag("action", "redacted").tag("reason", reason).counter()
            .count();
    }

    /**
     * A stream the guardrails end is let go of before the provider's usage report, which comes last: Anthropic's
     * opening counts one output token, and that was what the call was billed for, however much the client read.
     */
    @Test
    void aStreamTheGuardrailsEndIsBilledForWhatTheClientReceived() {
        user.put("/api/guardrails", Map.of("pii", "off", "blockedTerms", List.of("ZZEND"), "screenAnswers", true))
            .expectStatus().isOk();
        String words = "one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen ";
        upstream.enqueue(FakeReply.sse("""
                event: message_start
                data: {"type":"message_start","message":{"id":"msg_G4","type":"message","role":"assistant","content":[],"model":"claude-sonnet-4-5","stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":11,"output_tokens":1}}}

                event: content_block_start
                data: {"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}

                event: content_block_delta
                data: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"%s"}}

                event: content_block_delta
                data: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"%s"}}

                event: content_block_delta
                data: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"ZZEND and the rest."}}

                event: content_block_stop
                data: {"type":"content_block_stop","index":0}

                event: message_delta
                data: {"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null},"usage":{"output_tokens":420}}

                event: message_stop
                data: {"type":"message_stop"}

                """.formatted(words, words)));

        EntityExchangeResult<byte[]> result = chat(Map.of("model", "anthropic/claude-sonnet-4-5", "stream", true,
                "stream_options", Map.of("include_usage", true),
                "messages", List.of(Map.of("role", "user", "content", "Count, then say the word."))))
            .expectStatus().isOk().expectBody().returnResult();

        String streamed = new String(result.getResponseBodyContent());
        assertThat(streamed).contains("\"finish_reason\":\"content_filter\"").doesNotContain("ZZEND");
        Matcher usage = Pattern.compile("\"completion_tokens\":(\\d+)").matcher(streamed);
        assertThat(usage.find()).as("a usage chunk in %s", streamed).isTrue();
        long shown = Long.parseLong(usage.group(1));
        // Thirty words reached the client: at least thirty tokens, however the tokenizer splits them.
        assertThat(shown).isGreaterThanOrEqualTo(30);
        Map<String, Object> row = new RequestLog(db).row(result.getResponseHeaders()
            .getFirst("x-tollgate-generation-id"));
        assertThat(((Number) row.get("completion_tokens")).longValue()).isEqualTo(shown);
        assertThat(row.get("prompt_tokens")).isEqualTo(11);
        assertThat(row.get("usage_source")).isEqualTo("tokenizer");
    }

    private WebTestClient.ResponseSpec chat(Map<String, ?> body) {
        return chat(key, body);
    }

    private WebTestClient.ResponseSpec chat(String apiKey, Map<String, ?> body) {
        return client.post().uri("/v1/chat/completions").header("Authorization", "Bearer " + apiKey)
            .contentType(MediaType.APPLICATION_JSON).bodyValue(body).exchange();
    }

}
