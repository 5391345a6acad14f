package dev.tollgate.provider.openai;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.test.StepVerifier;
import tools.jackson.databind.json.JsonMapper;

import dev.tollgate.provider.UpstreamException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A stream without [DONE] has ended only once every answer asked for has its finish. */
class OpenAiStreamDecoderTests {

    static final JsonMapper JSON = JsonMapper.builder().build();

    final OpenAiStreamDecoder decoder = new OpenAiStreamDecoder(JSON, "compatible");

    @Test
    void withTwoAnswersAStreamCutAfterTheFirstFinishedIsCutShort() {
        OpenAiStreamDecoder.Ending ending = OpenAiStreamDecoder.Ending.of(JSON.readTree("{\"n\":2}"));

        decoder.decode(chunk(0, "\"stop\""), ending);
        decoder.decode(chunk(1, "null"), ending);

        assertThatThrownBy(() -> decoder.ended(Flux.empty(), ending).blockLast()).isInstanceOf(UpstreamException.class)
            .hasMessageContaining("ended before [DONE]");

        decoder.decode(chunk(1, "\"length\""), ending);
        assertThat(decoder.ended(Flux.empty(), ending).blockLast()).isNull();
    }

    @Test
    void oneAnswersFinishOrDoneEndsTheStream() {
        OpenAiStreamDecoder.Ending one = OpenAiStreamDecoder.Ending.of(JSON.readTree("{}"));
        decoder.decode(chunk(0, "\"stop\""), one);
        assertThat(decoder.ended(Flux.empty(), one).blockLast()).isNull();

        OpenAiStreamDecoder.Ending done = OpenAiStreamDecoder.Ending.of(JSON.readTree("{\"n\":3}"));
        decoder.decode("[DONE]".getBytes(StandardCharsets.US_ASCII), done);
        assertThat(decoder.ended(Flux.empty(), done).blockLast()).isNull();
    }

    /**
     * After [DONE] the answer is whole: an error event, or the connection cut before the body's end, no longer turns
     * it into a broken stream (the client got an error in place of its usage chunk and [DONE]).
     */
    @Test
    void nothingAfterDoneBreaksTheAnswer() {
        OpenAiStreamDecoder.Ending ending = OpenAiStreamDecoder.Ending.of(JSON.readTree("{}"));
        decoder.decode(chunk(0, "\"stop\""), ending);
        decoder.decode("[DONE]".getBytes(StandardCharsets.US_ASCII), ending);

        assertThat(decoder.decode("{\"error\":{\"message\":\"late\"}}".getBytes(StandardCharsets.UTF_8), ending))
            .isEmpty();
        StepVerifier.create(decoder.ended(Flux.error(UpstreamException.fromStatus("compatible", 0,
                "the connection closed early", null)), ending))
            .verifyComplete();

        // Without [DONE], the same cut is the error it was.
        OpenAiStreamDecoder.Ending open = OpenAiStreamDecoder.Ending.of(JSON.readTree("{}"));
        StepVerifier.create(decoder.ended(Flux.error(UpstreamException.fromStatus("compatible", 0,
                "the connection closed early", null)), open))
            .expectError(UpstreamException.class)
            .verify();
    }

    private static byte[] chunk(int index, String finish) {
        return ("{\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"m\",\"choices\":[{\"index\":"
                + index + ",\"delta\":{\"content\":\"x\"},\"finish_reason\":" + finish + "}]}")
            .getBytes(StandardCharsets.UTF_8);
    }

}
