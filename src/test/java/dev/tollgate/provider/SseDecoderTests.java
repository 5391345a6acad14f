package dev.tollgate.provider;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

class SseDecoderTests {

    static final String STREAM = """
            : OPENROUTER PROCESSING

            event: message_start
            data: {"type":"message_start"}

            data: {"text":"naïve café — 東京 🚀"}

            data: first line\r
            data:second line\r
            \r
            event:  ping \r\revent: content_block_delta
            data: {"delta":"x"}

            data: [DONE]""";

    @Test
    void decodesEventsWhereverTheNetworkCutsTheBytes() {
        byte[] bytes = STREAM.getBytes(StandardCharsets.UTF_8);
        List<String> whole = render(decode(bytes, bytes.length));
        assertThat(whole).containsExactly(
                "null|null", // a comment-only event (a keep-alive) still arrives, with no data
                "message_start|{\"type\":\"message_start\"}",
                "null|{\"text\":\"naïve café — 東京 🚀\"}",
                "null|first line\nsecond line",
                "ping|null",
                "content_block_delta|{\"delta\":\"x\"}",
                "null|[DONE]"); // the last event had no blank line after it
        for (int piece = 1; piece < 8; piece++) {
            assertThat(render(decode(bytes, piece))).as("in pieces of %d bytes", piece).isEqualTo(whole);
        }
    }

    @Test
    void aLineSplitBetweenCarriageReturnAndLineFeedEndsOnce() {
        SseDecoder decoder = new SseDecoder(1024);
        List<SseEvent> events = new ArrayList<>();
        for (String piece : List.of("data: a\r", "\n\r", "\ndata: b\r\n", "\r\n")) {
            events.addAll(decoder.decode(Unpooled.wrappedBuffer(piece.getBytes(StandardCharsets.UTF_8))));
        }
        assertThat(render(events)).containsExactly("null|a", "null|b");
        assertThat(decoder.finish()).isEmpty();
    }

    @Test
    void anEventLargerThanTheLimitFailsInsteadOfGrowing() {
        SseDecoder decoder = new SseDecoder(16);
        assertThat(decoder.decode(Unpooled.wrappedBuffer("data: 0123456789\n\n".getBytes(StandardCharsets.UTF_8))))
            .hasSize(1);
        assertThatThrownBy(() -> decoder.decode(Unpooled.wrappedBuffer(
                "data: 0123456789\ndata: 0123456789\n\n".getBytes(StandardCharsets.UTF_8))))
            .isInstanceOf(SseDecoder.EventTooLarge.class);
    }

    private static List<SseEvent> decode(byte[] bytes, int pieceSize) {
        SseDecoder decoder = new SseDecoder(1024);
        List<SseEvent> events = new ArrayList<>();
        for (int i = 0; i < bytes.length; i += pieceSize) {
            events.addAll(decoder.decode(Unpooled.wrappedBuffer(bytes, i, Math.min(pieceSize, bytes.length - i))));
        }
        events.addAll(decoder.finish());
        return events;
    }

    private static List<String> render(List<SseEvent> events) {
        return events.stream().map(event -> event.event() + "|" + event.text()).toList();
    }

}
