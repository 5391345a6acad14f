package dev.tollgate.proxy;

import java.nio.charset.StandardCharsets;

/** The bytes of server-sent events as Tollgate writes them: {@code data: <json>\n\n}, ended by {@code [DONE]}. */
final class SseFrames {

    static final byte[] DONE = "data: [DONE]\n\n".getBytes(StandardCharsets.US_ASCII);

    private static final byte[] DATA = "data: ".getBytes(StandardCharsets.US_ASCII);

    private static final byte[] END = "\n\n".getBytes(StandardCharsets.US_ASCII);

    private SseFrames() {
    }

    static byte[] data(byte[] json) {
        byte[] frame = new byte[DATA.length + json.length + END.length];
        System.arraycopy(DATA, 0, frame, 0, DATA.length);
        System.arraycopy(json, 0, frame, DATA.length, json.length);
        System.arraycopy(END, 0, frame, DATA.length + json.length, END.length);
        return frame;
    }

}
