package dev.tollgate.provider.openai;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.databind.json.JsonMapper;

import dev.tollgate.provider.TokenUsage;
import dev.tollgate.provider.UpstreamException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The usage read off a parser's tokens is the one read off a tree, whatever shape a provider gives it. */
class OpenAiUsageTests {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    @ParameterizedTest
    @ValueSource(strings = {
        "{\"prompt_tokens\":24,\"completion_tokens\":11,\"total_tokens\":35}",
        "{\"prompt_tokens\":20,\"completion_tokens\":9,\"total_tokens\":29,"
            + "\"prompt_tokens_details\":{\"cached_tokens\":16,\"audio_tokens\":0},"
            + "\"completion_tokens_details\":{\"reasoning_tokens\":4,\"accepted_prediction_tokens\":0}}",
        "{\"completion_tokens_details\":{\"reasoning_tokens\":7},\"prompt_tokens_details\":{\"cached_tokens\":3},"
            + "\"completion_tokens\":8,\"prompt_tokens\":9}",
        "{}",
        "{\"prompt_tokens\":null,\"completion_tokens\":\"12\",\"prompt_tokens_details\":null,"
            + "\"completion_tokens_details\":[{\"reasoning_tokens\":3}]}",
        "{\"prompt_tokens\":-5,\"completion_tokens\":2,\"prompt_tokens_details\":{\"cached_tokens\":-1}}",
        "{\"prompt_tokens\":1000000000,\"completion_tokens\":-9223372036854775808}",
        "{\"prompt_tokens\":1,\"prompt_tokens\":2,\"completion_tokens_details\":{\"reasoning_tokens\":5},"
            + "\"completion_tokens_details\":{\"other\":1}}",
        "{\"prompt_tokens_details\":{\"cached_tokens\":{\"n\":1},\"nested\":{\"cached_tokens\":9}},"
            + "\"extra\":{\"prompt_tokens\":99,\"list\":[1,{\"completion_tokens\":5}]},\"completion_tokens\":3}",
    })
    void readsOffTheTokensWhatTheTreeSays(String usage) {
        TokenUsage tree = OpenAiUsage.from(JSON.readTree(usage), "openai");
        TokenUsage read;
        try (JsonParser parser = JSON.createParser(usage)) {
            assertThat(parser.nextToken()).isEqualTo(JsonToken.START_OBJECT);
            read = OpenAiUsage.read(parser);
            assertThat(parser.currentToken()).as("left on the object's end").isEqualTo(JsonToken.END_OBJECT);
            assertThat(parser.nextToken()).isNull();
        }
        assertThat(read).isEqualTo(tree);
    }

    @ParameterizedTest
    @ValueSource(strings = {"{\"prompt_tokens\":1e30}", "{\"completion_tokens\":9223372036854775808}",
        "{\"prompt_tokens\":9223372036854775807}",
        "{\"completion_tokens_details\":{\"reasoning_tokens\":-1e19}}"})
    void aCountAboveTheCeilingIsAMalformedAnswerNotABill(String usage) {
        assertThatThrownBy(() -> OpenAiUsage.from(JSON.readTree(usage), "openai"))
            .isInstanceOfSatisfying(UpstreamException.class, error -> {
                assertThat(error.status().value()).isEqualTo(502);
                assertThat(error.code()).isEqualTo("upstream_malformed_response");
                assertThat(error.getMessage()).contains("token count above 1000000000");
            });
    }

    /** Fractions are cut and values above the ceiling refused by the tree's rules; the scan leaves them to the tree. */
    @ParameterizedTest
    @ValueSource(strings = {
        "{\"prompt_tokens\":1e3,\"completion_tokens\":4}",
        "{\"prompt_tokens\":4,\"completion_tokens\":4.5}",
        "{\"prompt_tokens\":9223372036854775808}",
        "{\"completion_tokens\":1000000001}",
        "{\"prompt_tokens_details\":{\"cached_tokens\":0.5}}",
        "{\"completion_tokens_details\":{\"reasoning_tokens\":123456789012345678901234567890}}",
        "{\"prompt_tokens\":1010,\"prompt_tokens_details\":{\"audio_tokens\":1000,\"cached_tokens\":0}}",
        "{\"completion_tokens\":300,\"completion_tokens_details\":{\"reasoning_tokens\":0,\"audio_tokens\":280}}",
    })
    void leavesCountsThatAreNotWholeLongsToTheTree(String usage) {
        try (JsonParser parser = JSON.createParser(usage)) {
            parser.nextToken();
            assertThat(OpenAiUsage.read(parser)).isNull();
        }
    }

    /** Audio in the prompt costs more than text on audio models: the tree counts it apart (the scan leaves it so). */
    @Test
    void thePromptsAudioTokensAreCountedApart() {
        TokenUsage usage = OpenAiUsage.from(JSON.readTree("""
                {"prompt_tokens":1010,"completion_tokens":4,
                 "prompt_tokens_details":{"cached_tokens":0,"audio_tokens":1000}}"""), "openai");

        assertThat(usage.promptTokens()).isEqualTo(1010);
        assertThat(usage.audioPromptTokens()).isEqualTo(1000);
        assertThat(usage.cachedAudioTokens()).isZero();
    }

    /** OpenAI counts the prompt's audio cached or not; the overlap the counts force is cached audio. */
    @Test
    void audioTheCacheMustHaveServedIsCachedAudio() {
        TokenUsage usage = OpenAiUsage.from(JSON.readTree("""
                {"prompt_tokens":10000,"completion_tokens":4,
                 "prompt_tokens_details":{"cached_tokens":8000,"audio_tokens":10000}}"""), "openai");

        assertThat(usage.cachedTokens()).isEqualTo(8000);
        assertThat(usage.cachedAudioTokens()).isEqualTo(8000);
        assertThat(usage.audioPromptTokens()).isEqualTo(2000);
    }

    /**
     * An audio model's spoken answer: OpenAI counts its audio among the completion tokens and apart in the details
     * (GPT-4o Audio bills it at $80 a million against $10 for text).
     */
    @Test
    void theAnswersAudioTokensAreCountedApart() {
        TokenUsage usage = OpenAiUsage.from(JSON.readTree("""
                {"prompt_tokens":17,"completion_tokens":312,"total_tokens":329,
                 "prompt_tokens_details":{"cached_tokens":0,"audio_tokens":0},
                 "completion_tokens_details":{"reasoning_tokens":0,"audio_tokens":280,"text_tokens":32}}"""),
                "openai");

        assertThat(usage.completionTokens()).isEqualTo(312);
        assertThat(usage.audioCompletionTokens()).isEqualTo(280);
        assertThat(usage.audioPromptTokens()).isZero();
    }

}
