package dev.tollgate.proxy;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

import dev.tollgate.common.Money;
import dev.tollgate.provider.ChatCompletion;
import dev.tollgate.provider.TokenUsage;

import static org.assertj.core.api.Assertions.assertThat;

class ResponseShaperTests {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final ResponseShaper shaper = new ResponseShaper(JSON);

    /** The usage written by hand must be byte for byte what Jackson writes for the same usage as a tree. */
    @Test
    void usageWrittenDirectlyIsWhatJacksonWritesForTheTree() {
        TokenUsage usage = new TokenUsage(1_234, 56_789, 1_000, 200, 7);
        for (BigDecimal cost : new BigDecimal[] {null, Money.microsToUsd(1), Money.microsToUsd(473),
                Money.microsToUsd(6_300_000_004L), Money.microsToUsd(2_000_000), Money.microsToUsd(0)}) {
            assertThat(text(shaper.usageBytes(usage, cost)))
                .as("cost %s", cost)
                .isEqualTo(text(JSON.writeValueAsBytes(shaper.usageJson(usage, cost))));
        }
        assertThat(text(shaper.usageBytes(TokenUsage.NONE, null))).isEqualTo("{\"prompt_tokens\":0,"
                + "\"completion_tokens\":0,\"total_tokens\":0,\"prompt_tokens_details\":{\"cached_tokens\":0,"
                + "\"cache_write_tokens\":0},\"completion_tokens_details\":{\"reasoning_tokens\":0}}");
    }

    /** An audio call's audio tokens, which it is billed for at their own prices, are in its usage as OpenAI's are. */
    @Test
    void audioTokensAreShownWhenThereAreSome() {
        TokenUsage spoken = new TokenUsage(1_010, 312, 200, 0, 0, 0, 800, 150, 280);

        assertThat(text(shaper.usageBytes(spoken, null)))
            .isEqualTo(text(JSON.writeValueAsBytes(shaper.usageJson(spoken, null))))
            .contains("\"prompt_tokens_details\":{\"cached_tokens\":200,\"cache_write_tokens\":0,\"audio_tokens\":950}")
            .contains("\"completion_tokens_details\":{\"reasoning_tokens\":0,\"audio_tokens\":280}");
    }

    /** An answer held as a tree (translated from another format) gets the cost as written, not a double's digits. */
    @Test
    void anAnswerHeldAsATreeKeepsItsCostExact() {
        ObjectNode body = JSON.createObjectNode().put("id", "chatcmpl-1").put("object", "chat.completion");
        ChatCompletion completion = new ChatCompletion(body, TokenUsage.NONE);

        String sent = text(shaper.bytes(completion, TokenUsage.NONE, new BigDecimal("0.00001234")));

        assertThat(sent).contains("\"cost\":0.00001234").doesNotContain("E-5");
    }

    private static String text(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
