package dev.tollgate.metering;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;

class PromptEstimatorTests {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final JsonNode request = JSON.readTree("""
            {"messages":[
              {"role":"user","content":[{"type":"text","text":"What is in this picture?"},
                {"type":"image_url","image_url":{"url":"https://example.com/cat.png"}}]},
              {"role":"assistant","content":null,"tool_calls":[{"id":"call_1","type":"function",
                "function":{"name":"lookup_breed","arguments":"{\\"colour\\":\\"tabby\\"}"}}]},
              {"role":"tool","tool_call_id":"call_1","content":"European shorthair"}],
             "tools":[{"type":"function","function":{"name":"lookup_breed","description":"Finds a cat's breed",
               "parameters":{"type":"object","properties":{"colour":{"type":"string"}}}}}]}""");

    @Test
    void thePromptsTextHoldsWhatAProviderTokenizesBesideTheMessages() {
        String text = PromptEstimator.promptText(request);

        assertThat(text).contains("What is in this picture?", "European shorthair")
            // The assistant's tool call and the tool's schema are prompt as well.
            .contains("lookup_breed", "{\"colour\":\"tabby\"}", "Finds a cat's breed", "\"properties\"");
    }

    @Test
    void whatNoTextShowsIsCountedAtTheLeastAProviderBills() {
        // 3 priming the reply, 3 for each of the three messages, 85 for the one image.
        assertThat(PromptEstimator.promptOverheadTokens(request)).isEqualTo(3 + 3 * 3 + 85);
    }

    @Test
    void aOneHourCacheMarkerOnAPartOrAToolIsFound() {
        assertThat(PromptEstimator.asksHourCache(JSON.readTree("""
                {"messages":[{"role":"user","content":[{"type":"text","text":"Long document",
                  "cache_control":{"type":"ephemeral","ttl":"1h"}}]}]}"""))).isTrue();
        assertThat(PromptEstimator.asksHourCache(JSON.readTree("""
                {"messages":[{"role":"user","content":"Hi"}],
                 "tools":[{"type":"function","function":{"name":"f"},"cache_control":{"type":"ephemeral","ttl":"1h"}}]}
                """))).isTrue();
        assertThat(PromptEstimator.asksHourCache(JSON.readTree("""
                {"messages":[{"role":"user","content":[{"type":"text","text":"Long document",
                  "cache_control":{"type":"ephemeral"}}]}]}"""))).as("five minutes").isFalse();
    }

    @Test
    void anAudioPartCountsByTheLengthOfItsDataAtLeastAsAnImage() {
        String minute = "A".repeat(640_000);
        JsonNode request = JSON.readTree("""
                {"messages":[{"role":"user","content":[{"type":"text","text":"abc"},
                  {"type":"input_audio","input_audio":{"data":"%s","format":"mp3"}}]}]}""".formatted(minute));
        JsonNode short_ = JSON.readTree("""
                {"messages":[{"role":"user","content":[
                  {"type":"input_audio","input_audio":{"data":"UklGRg==","format":"wav"}}]}]}""");

        assertThat(PromptEstimator.estimateAudioTokens(request)).isEqualTo(640_000 / 40);
        assertThat(PromptEstimator.estimateTokens(request))
            .isEqualTo(PromptEstimator.TOKENS_PER_MESSAGE + 1 + 640_000 / 40);
        assertThat(PromptEstimator.estimateAudioTokens(short_)).isEqualTo(PromptEstimator.TOKENS_PER_IMAGE);
    }

    /**
     * The adapters read a part by its type, and Gemini takes a data URL of any type as inline data: an audio part with
     * an empty "text" beside was counted as that text, and audio sent as an image or a file as an image.
     */
    @Test
    void audioIsFoundByTypeAndInDataUrls() {
        String data = "A".repeat(400_000);
        JsonNode request = JSON.readTree("""
                {"messages":[{"role":"user","content":[
                  {"type":"input_audio","text":"","input_audio":{"data":"%1$s","format":"mp3"}},
                  {"type":"image_url","image_url":{"url":"data:audio/ogg;base64,%1$s"}},
                  {"type":"file","file":{"file_data":"data:audio/wav;base64,%1$s"}},
                  {"type":"image_url","image_url":{"url":"data:image/png;base64,iVBOR"}}]}]}""".formatted(data));

        long audio = PromptEstimator.estimateAudioTokens(request);
        assertThat(audio).isGreaterThanOrEqualTo(3 * 400_000 / 40);
        assertThat(PromptEstimator.estimateTokens(request))
            .isEqualTo(PromptEstimator.TOKENS_PER_MESSAGE + audio + PromptEstimator.TOKENS_PER_IMAGE);
    }

    /** A 10 MB PDF of scans is hundreds of pages at 258 tokens each for Gemini: far more than one image's 1,600. */
    @Test
    void aFilePartIsSizedByItsDataAndAnImageIsNot() {
        String data = "A".repeat(4_000_000);
        JsonNode request = JSON.readTree("""
                {"messages":[{"role":"user","content":[
                  {"type":"file","file":{"filename":"scan.pdf","file_data":"data:application/pdf;base64,%1$s"}},
                  {"type":"image_url","image_url":{"url":"data:video/mp4;base64,%1$s"}},
                  {"type":"image_url","image_url":{"url":"data:image/png;base64,%1$s"}}]}]}""".formatted(data));

        long document = ("data:application/pdf;base64,".length() + 4_000_000L) / 400;
        long video = ("data:video/mp4;base64,".length() + 4_000_000L) / 400;
        assertThat(PromptEstimator.estimateTokens(request))
            .isEqualTo(PromptEstimator.TOKENS_PER_MESSAGE + document + video + PromptEstimator.TOKENS_PER_IMAGE);
    }

}
