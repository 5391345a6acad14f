package dev.tollgate.provider.openai;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

import dev.tollgate.provider.Brand;
import dev.tollgate.provider.ChatCompletion;
import dev.tollgate.provider.TokenUsage;
import dev.tollgate.provider.UpstreamException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Whole answers relayed as the provider's bytes must reach the client as the tree path would have written them (same
 * JSON, Tollgate's id, model and usage in place), and must tell the tracker the same usage, finish reason and
 * delivered text.
 */
class OpenAiCompletionScannerTests {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final OpenAiCompletionScanner scanner = new OpenAiCompletionScanner(JSON);

    /**
     * OpenAI's recorded answer (fixtures/openai/chat-completion.json, from ../shared/specs), and variants seen from
     * other servers: no usage, a null usage, usage first, escapes and raw UTF-8 before the rewritten ranges, tool
     * calls, several choices, JSON over several lines.
     */
    private static final List<String> ANSWERS = List.of(
            fixture(),
            "{\"id\":\"c-1\",\"object\":\"chat.completion\",\"model\":\"llama3\",\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"Caf\\u00e9 \\\"au lait\\\" \\ud83d\\ude00\"},\"finish_reason\":\"stop\"}]}",
            "{\"id\":\"c-2\",\"model\":\"m\",\"choices\":[{\"index\":0,\"message\":{\"content\":\"hi\"},\"finish_reason\":\"length\"}],\"usage\":null}",
            "{\"usage\":{\"prompt_tokens\":7,\"completion_tokens\":3,\"total_tokens\":10},\"choices\":[{\"index\":0,\"message\":{\"content\":\"Café crème 😀 日本\"},\"finish_reason\":\"stop\"}],\"model\":\"qwen-ä\",\"id\":\"c-ü\"}",
            "{\"id\":\"c\",\"object\":\"chat.completion\",\"model\":\"m\",\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":null,\"tool_calls\":[{\"id\":\"call_1\",\"type\":\"function\",\"function\":{\"name\":\"get_weather\",\"arguments\":\"{\\\"city\\\":\\\"Paris\\\"}\"}}]},\"finish_reason\":\"tool_calls\"}],\"usage\":{\"prompt_tokens\":20,\"completion_tokens\":9,\"total_tokens\":29,\"prompt_tokens_details\":{\"cached_tokens\":16},\"completion_tokens_details\":{\"reasoning_tokens\":4}}}",
            "{\"id\":\"c\",\"model\":\"deepseek-r1\",\"choices\":[{\"index\":0,\"message\":{\"reasoning_content\":\"Think.\",\"content\":\"A\"},\"finish_reason\":\"stop\"},{\"index\":1,\"message\":{\"content\":\"B\"},\"finish_reason\":\"length\"}],\"usage\":{\"prompt_tokens\":5,\"completion_tokens\":2,\"total_tokens\":7}}",
            "{\n  \"id\": \"c\",\n  \"model\": \"m\",\n  \"choices\": [\n    {\"index\": 0, \"message\": {\"content\": \"x\"}, \"finish_reason\": \"stop\"}\n  ]\n}\n");

    @Test
    void aRelayedAnswerIsTheTreePathsAnswerWithTheProvidersOtherBytesKept() {
        ObjectNode usage = JSON.createObjectNode().put("prompt_tokens", 1).put("completion_tokens", 2)
            .put("total_tokens", 3).put("cost", 0.00042);
        for (String answer : ANSWERS) {
            ChatCompletion fast = scan(answer);
            ChatCompletion tree = new OpenAiResponseMapper(JSON, "openai").treeOf(answer.getBytes(StandardCharsets.UTF_8));
            fast.brand(Brand.of("gen-0123456789abcdef0123456789abcdef", "openai/gpt-4o-mini"));
            tree.brand(Brand.of("gen-0123456789abcdef0123456789abcdef", "openai/gpt-4o-mini"));

            assertThat(fast.usage()).as(answer).isEqualTo(tree.usage());
            assertThat(fast.finishReason()).as(answer).isEqualTo(tree.finishReason());
            assertThat(JSON.readTree(fast.toJson(JSON, TreeUsage.of(JSON, usage))))
                .as(answer).isEqualTo(JSON.readTree(tree.toJson(JSON, TreeUsage.of(JSON, usage))));
        }
        // Not reserialized: the provider's spacing is still there.
        String sent = new String(scan(ANSWERS.get(0)).toJson(JSON, TreeUsage.of(JSON, usage)),
                StandardCharsets.UTF_8);
        assertThat(sent).contains("\"service_tier\": \"default\", \"system_fingerprint\": null");
    }

    @Test
    void theUsageIsReadAndReplacedWhereItWasOrAddedAtTheEnd() {
        assertThat(scan(ANSWERS.get(0)).usage()).isEqualTo(new TokenUsage(33, 10, 0, 0, 0));
        assertThat(scan(ANSWERS.get(4)).usage()).isEqualTo(new TokenUsage(20, 9, 16, 0, 4));
        assertThat(scan(ANSWERS.get(1)).usage()).isEqualTo(TokenUsage.NONE);
        assertThat(scan(ANSWERS.get(2)).usage()).isEqualTo(TokenUsage.NONE);
        ObjectNode usage = JSON.createObjectNode().put("total_tokens", 0);

        assertThat(text(scan(ANSWERS.get(0)), usage))
            .contains("\"usage\": {\"total_tokens\":0}, \"service_tier\"").doesNotContain("prompt_tokens");
        assertThat(text(scan(ANSWERS.get(1)), usage)).endsWith("}],\"usage\":{\"total_tokens\":0}}");
        assertThat(text(scan(ANSWERS.get(2)), usage)).endsWith("\"usage\":{\"total_tokens\":0}}");
        assertThat(text(scan(ANSWERS.get(6)), usage)).endsWith("  ]\n,\"usage\":{\"total_tokens\":0}}\n");
    }

    @Test
    void theDeliveredTextAndLastFinishReasonAreReadOffTheAnswer() {
        assertThat(scan(ANSWERS.get(0)).relayedText()).isEqualTo("six");
        assertThat(scan(ANSWERS.get(1)).relayedText()).isEqualTo("Café \"au lait\" \uD83D\uDE00");
        assertThat(scan(ANSWERS.get(4)).relayedText()).isEqualTo("get_weather{\"city\":\"Paris\"}");
        assertThat(scan(ANSWERS.get(5)).relayedText()).isEqualTo("Think.AB");
        assertThat(scan(ANSWERS.get(4)).finishReason()).isEqualTo("tool_calls");
        assertThat(scan(ANSWERS.get(5)).finishReason()).isEqualTo("length");
    }

    @Test
    void askedForATreeARelayedAnswerGivesTheBrandedOne() {
        ChatCompletion answer = scan(ANSWERS.get(3));
        answer.brand(Brand.of("gen-2", "team/\"quoted\" \\ model"));

        ObjectNode tree = answer.body();
        assertThat(tree.path("id").stringValue()).isEqualTo("gen-2");
        assertThat(tree.path("model").stringValue()).isEqualTo("team/\"quoted\" \\ model");
        assertThat(tree.path("choices").path(0).path("message").path("content").stringValue())
            .isEqualTo("Café crème 😀 日本");
        assertThat(answer.relayedText()).as("read from the tree from now on").isNull();
    }

    @Test
    void aModelNameIsWrittenAsAJsonString() {
        ChatCompletion answer = scan(ANSWERS.get(2));
        answer.brand(Brand.of("gen-1", "team/\"quoted\" \\ model"));

        JsonNode sent = JSON.readTree(answer.toJson(JSON, TreeUsage.of(JSON, JSON.createObjectNode())));
        assertThat(sent.path("model").stringValue()).isEqualTo("team/\"quoted\" \\ model");
        assertThat(sent.path("id").stringValue()).isEqualTo("gen-1");
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "{\"id\":\"c\",\"model\":\"m\"}",
        "{\"id\":\"c\",\"model\":\"m\",\"choices\":{}}",
        "{\"model\":\"m\",\"choices\":[]}",
        "{\"id\":7,\"model\":\"m\",\"choices\":[]}",
        "{\"id\":\"c\",\"model\":\"m\",\"choices\":[],\"usage\":\"lots\"}",
        "{\"id\":\"a\",\"model\":\"m\",\"choices\":[],\"model\":\"n\"}",
        "{\"id\":\"a\",\"model\":\"m\",\"choices\":[],\"usage\":null,\"usage\":{\"prompt_tokens\":1}}",
        "{\"id\":\"c\",\"model\":\"m\",\"choices\":[],\"usage\":{\"prompt_tokens\":7,\"completion_tokens\":2.5}}",
        "{\"error\":{\"message\":\"overloaded\"}}",
        "{\"id\":\"c\",\"model\":\"m\",\"choices\":[]} {}",
        "{\"id\":\"c\",\"model\":\"m\",\"choices\":[{\"message\":{\"content\":\"a\"}}",
        "not json",
        "[1,2]"})
    void answersOutOfTheUsualShapeAreLeftToTheTreePath(String answer) {
        assertThat(scanner.scan(answer.getBytes(StandardCharsets.UTF_8))).isNull();
    }

    @Test
    void whatIsNotAChatCompletionIsStillRejectedAsMalformed() {
        OpenAiResponseMapper mapper = new OpenAiResponseMapper(JSON, "openai");

        for (String body : List.of("not json", "[1,2]", "{\"id\":\"c\",\"model\":\"m\",\"choices\":{}}",
                "{\"id\":\"c\",\"model\":\"m\",\"choices\":[{\"message\":{\"content\":\"a\"}}")) {
            assertThatThrownBy(() -> mapper.toCompletion(body.getBytes(StandardCharsets.UTF_8))).as(body)
                .isInstanceOf(UpstreamException.class);
        }
        // A shape the scanner leaves alone but that is a chat completion still gets through, as a tree.
        ChatCompletion odd = mapper.toCompletion("{\"model\":\"m\",\"choices\":[]}".getBytes(StandardCharsets.UTF_8));
        assertThat(odd.relayedText()).isNull();
        assertThat(odd.body().path("choices").isArray()).isTrue();
    }

    private ChatCompletion scan(String answer) {
        ChatCompletion scanned = scanner.scan(answer.getBytes(StandardCharsets.UTF_8));
        assertThat(scanned).as(answer).isNotNull();
        return scanned;
    }

    private static String text(ChatCompletion answer, ObjectNode usage) {
        return new String(answer.toJson(JSON, TreeUsage.of(JSON, usage)), StandardCharsets.UTF_8);
    }

    private static String fixture() {
        try (InputStream in = OpenAiCompletionScannerTests.class.getResourceAsStream(
                "/fixtures/openai/chat-completion.json")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).strip();
        }
        catch (IOException ex) {
            throw new IllegalStateException(ex);
        }
    }

}
