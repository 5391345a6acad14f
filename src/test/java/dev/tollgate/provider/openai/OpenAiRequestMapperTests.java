package dev.tollgate.provider.openai;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

import dev.tollgate.provider.ChatCall;

import static org.assertj.core.api.Assertions.assertThat;

class OpenAiRequestMapperTests {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final OpenAiRequestMapper mapper = new OpenAiRequestMapper(JSON, true);

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
}
