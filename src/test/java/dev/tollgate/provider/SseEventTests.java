package dev.tollgate.provider;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

class SseEventTests {

    private static final byte[] DONE = "[DONE]".getBytes(StandardCharsets.US_ASCII);

    @Test
    void dataOfOnlyWhiteSpaceIsBlank() {
        assertThat(SseEvent.isBlank(null)).isTrue();
        assertThat(SseEvent.isBlank(bytes(""))).isTrue();
        assertThat(SseEvent.isBlank(bytes(" \t\r\n"))).isTrue();
        assertThat(SseEvent.isBlank(bytes(" {} "))).isFalse();
        assertThat(SseEvent.isBlank(bytes("é"))).isFalse();
    }

    @Test
    void aMarkerMatchesGiveOrTakeWhiteSpaceAroundIt() {
        assertThat(SseEvent.isMarker(bytes("[DONE]"), DONE)).isTrue();
        assertThat(SseEvent.isMarker(bytes(" [DONE]\r\n"), DONE)).isTrue();
        assertThat(SseEvent.isMarker(bytes("[DONE] x"), DONE)).isFalse();
        assertThat(SseEvent.isMarker(bytes("[DONE"), DONE)).isFalse();
        assertThat(SseEvent.isMarker(bytes("[done]"), DONE)).isFalse();
        assertThat(SseEvent.isMarker(null, DONE)).isFalse();
    }

    @Test
    void theDataReadsAsUtf8Text() {
        assertThat(new SseEvent("e", bytes("naïve 東京 🚀")).text()).isEqualTo("naïve 東京 🚀");
        assertThat(new SseEvent("ping", null).text()).isNull();
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

}
