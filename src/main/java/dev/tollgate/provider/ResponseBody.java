package dev.tollgate.provider;

import java.util.Arrays;

import io.netty.buffer.ByteBuf;
import reactor.core.publisher.Mono;
import reactor.netty.ByteBufFlux;

/**
 * A whole response body read into one array, up to a limit: a provider answering with more than that fails the call
 * instead of filling the heap. Each piece is copied while Reactor Netty still holds it (the accumulator runs inside
 * {@code onNext}, before the piece is released). A body that arrives in one piece, the usual case for a completion,
 * is copied once.
 */
final class ResponseBody {

    private static final byte[] EMPTY = new byte[0];

    private final int maxBytes;
    private byte[] bytes = EMPTY;
    private int length;

    private ResponseBody(int maxBytes) {
        this.maxBytes = maxBytes;
    }

    static Mono<byte[]> read(ByteBufFlux content, int maxBytes) {
        return content.collect(() -> new ResponseBody(maxBytes), ResponseBody::append).map(ResponseBody::bytes);
    }

    private void append(ByteBuf piece) {
        int readable = piece.readableBytes();
        if (readable > maxBytes - length) {
            throw new TooLarge(maxBytes);
        }
        if (length + readable > bytes.length) {
            bytes = Arrays.copyOf(bytes, (int) Math.min(maxBytes, Math.max(length + readable, 2L * length)));
        }
        piece.getBytes(piece.readerIndex(), bytes, length, readable);
        length += readable;
    }

    private byte[] bytes() {
        return length == bytes.length ? bytes : Arrays.copyOf(bytes, length);
    }

    /** A body larger than the limit. */
    static final class TooLarge extends RuntimeException {

        TooLarge(int maxBytes) {
            super("a response larger than " + maxBytes + " bytes", null, false, false);
        }

    }

}
