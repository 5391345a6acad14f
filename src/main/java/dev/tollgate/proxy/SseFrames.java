package dev.tollgate.proxy;

import java.nio.charset.StandardCharsets;

import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.server.reactive.ServerHttpResponse;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/** The bytes of server-sent events as Tollgate writes them: {@code data: <json>\n\n}, ended by {@code [DONE]}. */
final class SseFrames {

    static final byte[] DONE = "data: [DONE]\n\n".getBytes(StandardCharsets.US_ASCII);

    private static final byte[] DATA = "data: ".getBytes(StandardCharsets.US_ASCII);

    private static final byte[] END = "\n\n".getBytes(StandardCharsets.US_ASCII);

    private SseFrames() {
    }

    /** Frames as an event stream answer; each leaves as it comes (Reactor Netty flushes what it has written). */
    static Mono<Void> write(ServerHttpResponse response, Flux<byte[]> frames) {
        HttpHeaders headers = response.getHeaders();
        headers.setContentType(MediaType.TEXT_EVENT_STREAM);
        headers.setCacheControl("no-cache");
        headers.set("X-Accel-Buffering", "no");
        return response.writeWith(frames.map(frame -> response.bufferFactory().wrap(frame)));
    }

    static byte[] data(byte[] json) {
        byte[] frame = new byte[DATA.length + json.length + END.length];
        System.arraycopy(DATA, 0, frame, 0, DATA.length);
        System.arraycopy(json, 0, frame, DATA.length, json.length);
        System.arraycopy(END, 0, frame, DATA.length + json.length, END.length);
        return frame;
    }

}
