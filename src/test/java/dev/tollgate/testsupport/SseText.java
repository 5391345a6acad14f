package dev.tollgate.testsupport;

import java.util.ArrayList;
import java.util.List;

/** Splits recorded SSE text into its events, each kept byte for byte with its terminating blank line. */
public final class SseText {

    private SseText() {
    }

    public static List<String> frames(String text) {
        List<String> frames = new ArrayList<>();
        for (String event : text.split("\n\n")) {
            if (!event.isBlank()) {
                frames.add(event + "\n\n");
            }
        }
        return frames;
    }

    /** The {@code data:} payloads of an SSE body, in order. */
    public static List<String> dataOf(String body) {
        List<String> data = new ArrayList<>();
        for (String line : body.split("\n")) {
            if (line.startsWith("data:")) {
                data.add(line.substring(5).trim());
            }
        }
        return data;
    }

}
