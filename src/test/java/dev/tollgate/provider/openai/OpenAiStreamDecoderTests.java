package dev.tollgate.provider.openai;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;
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

        assertThatThrownBy(() -> decoder.afterLast(ending).block()).isInstanceOf(UpstreamException.class)
            .hasMessageContaining("ended before [DONE]");

        decoder.decode(chunk(1, "\"length\""), ending);
        assertThat(decoder.afterLast(ending).block()).isNull();
    }

    @Test
    void oneAnswersFinishOrDoneEndsTheStream() {
        OpenAiStreamDecoder.Ending one = OpenAiStreamDecoder.Ending.of(JSON.readTree("{}"));
        decoder.decode(chunk(0, "\"stop\""), one);
        assertThat(decoder.afterLast(one).block()).isNull();

        OpenAiStreamDecoder.Ending done = OpenAiStreamDecoder.Ending.of(JSON.readTree("{\"n\":3}"));
        decoder.decode("[DONE]".getBytes(StandardCharsets.US_ASCII), done);
        assertThat(decoder.afterLast(done).block()).isNull();
    }

    private static byte[] chunk(int index, String finish) {
        return ("{\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"m\",\"choices\":[{\"index\":"
                + index + ",\"delta\":{\"content\":\"x\"},\"finish_reason\":" + finish + "}]}")
            .getBytes(StandardCharsets.UTF_8);
    }

}
