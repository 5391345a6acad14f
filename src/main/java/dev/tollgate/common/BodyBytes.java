package dev.tollgate.common;

import java.util.Arrays;

import io.netty.buffer.ByteBuf;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * A whole body read from Reactor Netty into one array, up to a limit: a provider's answer or a client's request larger
 * than that fails instead of filling the heap. Each piece is copied while Reactor Netty still holds it (the
 * accumulator runs inside {@code onNext}, before the piece is released). A body that arrives in one piece, the usual
 * case, is copied once.
 */
public final class BodyBytes {

    private static final byte[] EMPTY = new byte[0];

    private final int maxBytes;
    private byte[] bytes = EMPTY;
    private int length;

    private BodyBytes(int maxBytes) {
        this.maxBytes = maxBytes;
    }

    /** The bytes; an error {@link TooLarge} past {@code maxBytes}. */
    public static Mono<byte[]> read(Flux<ByteBuf> content, int maxBytes) {
        return content.collect(() -> new BodyBytes(maxBytes), BodyBytes::append).map(BodyBytes::bytes);
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
    public static final class TooLarge extends RuntimeException {

        TooLarge(int maxBytes) {
            super("a response larger than " + maxBytes + " bytes", null, false, false);
        }

    }

}
