package dev.tollgate.provider;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import org.jspecify.annotations.Nullable;

/**
 * One server-sent event of a provider's stream: its name and its data as the provider's UTF-8 bytes, null when the
 * event had only comments (a keep-alive). The data stays bytes because that is what a JSON parser reads and what a
 * relayed chunk is sent as: decoding it into a {@code String} only to encode it again cost two copies per chunk.
 *
 * @param event the {@code event} field, trimmed, or null
 * @param data the {@code data} lines joined with LF, or null when there were none
 */
public record SseEvent(@Nullable String event, byte @Nullable [] data) {

    /** The data as text, for a reader that wants it so (tests, error messages). */
    public @Nullable String text() {
        return data == null ? null : new String(data, StandardCharsets.UTF_8);
    }

    /** Whether the data is missing or only white space, which a provider sends now and then and means nothing. */
    public static boolean isBlank(byte @Nullable [] data) {
        if (data != null) {
            for (byte b : data) {
                if (!isSpace(b)) {
                    return false;
                }
            }
        }
        return true;
    }

    /** Whether the data is {@code marker} (ASCII), give or take white space around it: OpenAI's {@code [DONE]}. */
    public static boolean isMarker(byte @Nullable [] data, byte[] marker) {
        if (data == null) {
            return false;
        }
        int start = 0;
        int end = data.length;
        while (start < end && isSpace(data[start])) {
            start++;
        }
        while (end > start && isSpace(data[end - 1])) {
            end--;
        }
        return Arrays.equals(data, start, end, marker, 0, marker.length);
    }

    private static boolean isSpace(byte b) {
        return b == ' ' || b == '\t' || b == '\n' || b == '\r';
    }

}
