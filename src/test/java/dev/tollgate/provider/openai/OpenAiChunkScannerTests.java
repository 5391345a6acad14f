package dev.tollgate.provider.openai;

import java.nio.charset.StandardCharsets;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

import dev.tollgate.provider.Brand;
import dev.tollgate.provider.ChatStreamEvent;
import dev.tollgate.provider.RelayedChunk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Chunks relayed as the provider's bytes must reach the client as the tree path would have written them (same JSON,
 * id and model rewritten, no usage), and must tell the tracker the same finish reason and delivered text.
 */
class OpenAiChunkScannerTests {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final OpenAiChunkScanner scanner = new OpenAiChunkScanner(JSON);

    /** Chunks from ../shared/specs/wire-examples.md (OpenAI's recorded streams), and variants seen from other servers. */
    private static final List<String> CHUNKS = List.of(
            "{\"id\":\"chatcmpl-123\",\"object\":\"chat.completion.chunk\",\"created\":1694268190,\"model\":\"gpt-4o-mini\", \"system_fingerprint\": \"fp_44709d6fcb\", \"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\"},\"logprobs\":null,\"finish_reason\":null}]}",
            "{\"id\":\"chatcmpl-ABfw3Oqj8RD0z6aJiiX37oTjV2HFh\",\"object\":\"chat.completion.chunk\",\"created\":1727346171,\"model\":\"gpt-4o-2024-08-06\",\"system_fingerprint\":\"fp_7568d46099\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"{\\\"\"},\"logprobs\":null,\"finish_reason\":null}]}",
            "{\"id\":\"chatcmpl-ABfw031mOJeYCSHe4yI2ZjOA6kMJL\",\"object\":\"chat.completion.chunk\",\"created\":1727346168,\"model\":\"gpt-4o-2024-08-06\",\"system_fingerprint\":\"fp_5050236cbd\",\"choices\":[{\"index\":0,\"delta\":{},\"logprobs\":null,\"finish_reason\":\"stop\"}]}",
            "{\"model\":\"llama3\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Caf\\u00e9 \\\"au lait\\\" \\ud83d\\ude00\"}}],\"id\":\"c-1\",\"usage\":null}",
            "{\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"model\":\"m\",\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,\"id\":\"call_1\",\"type\":\"function\",\"function\":{\"name\":\"get_weather\",\"arguments\":\"{\\\"city\\\":\"}}]},\"finish_reason\":null}]}",
            "{\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Café crème 😀 日本\"}}],\"model\":\"qwen-ä\",\"id\":\"c-ü\"}",
            "{\"id\":\"c\",\"model\":\"deepseek-r1\",\"choices\":[{\"index\":0,\"delta\":{\"reasoning_content\":\"Think.\"},\"finish_reason\":null},{\"index\":1,\"delta\":{\"content\":\"B\"},\"finish_reason\":\"length\"}]}",
            "{\"id\":\"c\",\"model\":\"gpt-4o\",\"choices\":[{\"index\":0,\"delta\":{\"content\":null,\"refusal\":\"I can't help with that.\"},\"finish_reason\":null}]}");

    private static final byte[] BEFORE = "data: ".getBytes(StandardCharsets.US_ASCII);

    private static final byte[] AFTER = "\n\n".getBytes(StandardCharsets.US_ASCII);

    @Test
    void aRelayedChunkIsTheTreePathsChunkWithTheProvidersOtherBytesKept() {
        for (String chunk : CHUNKS) {
            RelayedChunk relayed = scan(chunk);
            ChatStreamEvent.Chunk fast = new ChatStreamEvent.Chunk(relayed);
            fast.brand(Brand.of("gen-1764300000-abc", "openai/gpt-4o-mini"));
            ChatStreamEvent.Chunk tree = new ChatStreamEvent.Chunk(treeOf(chunk));
            tree.brand(Brand.of("gen-1764300000-abc", "openai/gpt-4o-mini"));

            assertThat(JSON.readTree(fast.toJson(JSON))).as(chunk).isEqualTo(JSON.readTree(tree.toJson(JSON)));
            assertThat(fast.finishReason()).as(chunk).isEqualTo(tree.finishReason());
            // Framed in the same copy: the frame is the chunk's JSON between the given bytes, whichever path.
            for (ChatStreamEvent.Chunk each : List.of(fast, tree)) {
                assertThat(new String(each.toJson(JSON, BEFORE, AFTER), StandardCharsets.UTF_8)).as(chunk)
                    .isEqualTo("data: " + new String(each.toJson(JSON), StandardCharsets.UTF_8) + "\n\n");
            }
        }
        // Not reserialized: the provider's spacing is still there.
        String sent = new String(new ChatStreamEvent.Chunk(scan(CHUNKS.get(0))).toJson(JSON), StandardCharsets.UTF_8);
        assertThat(sent).contains("\"system_fingerprint\": \"fp_44709d6fcb\"");
    }

    @Test
    void theDeliveredTextIsReadOffTheChunkDecoded() {
        assertThat(scan(CHUNKS.get(1)).text()).isEqualTo("{\"");
        assertThat(scan(CHUNKS.get(3)).text()).isEqualTo("Café \"au lait\" \uD83D\uDE00");
        assertThat(scan(CHUNKS.get(4)).text()).isEqualTo("get_weather{\"city\":");
        assertThat(scan(CHUNKS.get(5)).text()).isEqualTo("Café crème 😀 日本");
        assertThat(scan(CHUNKS.get(6)).text()).isEqualTo("Think.B");
        assertThat(scan(CHUNKS.get(7)).text()).as("a refusal reached the client too")
            .isEqualTo("I can't help with that.");
        assertThat(scan(CHUNKS.get(2)).text()).isEmpty();
    }

    @Test
    void theLastFinishReasonAmongTheChoicesIsKept() {
        assertThat(scan(CHUNKS.get(0)).finishReason()).isNull();
        assertThat(scan(CHUNKS.get(2)).finishReason()).isEqualTo("stop");
        assertThat(scan(CHUNKS.get(6)).finishReason()).isEqualTo("length");
    }

    @Test
    void aNullUsageIsCutWithItsComma() {
        String sent = new String(new ChatStreamEvent.Chunk(scan(CHUNKS.get(3))).toJson(JSON), StandardCharsets.UTF_8);

        assertThat(sent).endsWith("\"id\":\"c-1\"}").doesNotContain("usage");
    }

    @Test
    void aModelNameIsWrittenAsAJsonString() {
        ChatStreamEvent.Chunk chunk = new ChatStreamEvent.Chunk(scan(CHUNKS.get(2)));
        chunk.brand(Brand.of("gen-1", "team/\"quoted\" \\ model"));

        JsonNode sent = JSON.readTree(chunk.toJson(JSON));
        assertThat(sent.path("model").stringValue()).isEqualTo("team/\"quoted\" \\ model");
        assertThat(sent.path("id").stringValue()).isEqualTo("gen-1");
    }

    @Test
    void askedForATreeARelayedChunkGivesTheBrandedOneAndWritesIt() {
        ChatStreamEvent.Chunk chunk = new ChatStreamEvent.Chunk(scan(CHUNKS.get(3)));
        chunk.brand(Brand.of("gen-2", "meta/llama-3"));

        ObjectNode tree = chunk.chunk();
        assertThat(tree.path("id").stringValue()).isEqualTo("gen-2");
        assertThat(tree.path("model").stringValue()).isEqualTo("meta/llama-3");
        assertThat(tree.has("usage")).isFalse();
        tree.put("extra", true);
        assertThat(JSON.readTree(chunk.toJson(JSON)).path("extra").asBoolean()).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "{\"id\":\"c\",\"model\":\"m\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"a\"}}],\"usage\":{\"prompt_tokens\":1,\"completion_tokens\":1,\"total_tokens\":2}}",
        "{\"usage\":null,\"id\":\"c\",\"model\":\"m\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"a\"}}]}",
        "{\"id\":\"c\",\"model\":\"m\",\"choices\":[]}",
        "{\"id\":\"c\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"a\"}}]}",
        "{\"id\":7,\"model\":\"m\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"a\"}}]}",
        "{\"error\":{\"message\":\"overloaded\"}}",
        "{\"id\":\"c\",\n\"model\":\"m\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"a\"}}]}",
        "{\"id\":\"a\",\"model\":\"m\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"a\"}}],\"id\":\"b\"}",
        "{\"id\":\"a\",\"model\":\"m\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"a\"}}],\"usage\":null,\"usage\":null}",
        "[1,2]"})
    void chunksOutOfTheUsualShapeAreLeftToTheTreePath(String chunk) {
        assertThat(scanner.scan(chunk.getBytes(StandardCharsets.UTF_8))).isNull();
    }

    @Test
    void jsonThatIsNotWellFormedFails() {
        assertThatThrownBy(() -> scanner.scan(
                "{\"id\":\"c\",\"model\":\"m\",\"choices\":[{\"delta\":{\"content\":\"a\"}".getBytes(StandardCharsets.UTF_8)))
            .isInstanceOf(JacksonException.class);
        assertThatThrownBy(() -> scanner.scan(
                "{\"id\":\"c\",\"model\":\"m\",\"choices\":[{\"delta\":{\"content\":\"a\" x}}]}".getBytes(StandardCharsets.UTF_8)))
            .isInstanceOf(JacksonException.class);
    }

    private RelayedChunk scan(String chunk) {
        RelayedChunk relayed = scanner.scan(chunk.getBytes(StandardCharsets.UTF_8));
        assertThat(relayed).as(chunk).isNotNull();
        return relayed;
    }

    private static ObjectNode treeOf(String chunk) {
        ObjectNode tree = (ObjectNode) JSON.readTree(chunk);
        tree.remove("usage");
        return tree;
    }

}
