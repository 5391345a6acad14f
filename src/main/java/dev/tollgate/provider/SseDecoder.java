package dev.tollgate.provider;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import io.netty.buffer.ByteBuf;
import io.netty.util.ByteProcessor;
import org.jspecify.annotations.Nullable;

/**
 * Cuts a provider's {@code text/event-stream} body into events as its bytes arrive, in whatever pieces the network
 * delivers them: a line, or a UTF-8 character, may be split between two pieces. Follows the WHATWG event-stream
 * format (lines end in CR, LF or CRLF; {@code data} lines are joined with LF; one space after the colon is dropped;
 * a blank line ends an event) and hands over what an adapter reads: the event name and its data as bytes, null when
 * the event had only comments (a provider's keep-alive, which still shows the provider is alive). Like Spring's
 * decoder, which this replaced, it also hands over a last event the provider did not end with a blank line. One
 * decoder per response; not thread-safe (a response's pieces arrive one at a time).
 */
final class SseDecoder {

    private static final byte[] DATA = "data".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] EVENT = "event".getBytes(StandardCharsets.US_ASCII);

    private final int maxEventBytes;

    private byte[] line = new byte[256];
    private int lineLength;
    private boolean afterCarriageReturn;

    private byte @Nullable [] data;
    private @Nullable String event;
    private boolean inEvent;
    private long eventBytes;

    /** @param maxEventBytes the largest event accepted; a larger one fails the stream rather than fill the heap */
    SseDecoder(int maxEventBytes) {
        this.maxEventBytes = maxEventBytes;
    }

    /** The events this piece of the body completes (often none or one). Reads the buffer, does not release it. */
    List<SseEvent> decode(ByteBuf piece) {
        List<SseEvent> events = List.of();
        int i = piece.readerIndex();
        int end = piece.writerIndex();
        while (i < end) {
            if (afterCarriageReturn) {
                afterCarriageReturn = false;
                if (piece.getByte(i) == '\n') { // the LF of a CRLF split between two pieces
                    i++;
                    continue;
                }
            }
            int lineEnd = piece.forEachByte(i, end - i, ByteProcessor.FIND_CRLF);
            if (lineEnd < 0) {
                append(piece, i, end - i);
                break;
            }
            append(piece, i, lineEnd - i);
            afterCarriageReturn = piece.getByte(lineEnd) == '\r';
            i = lineEnd + 1;
            SseEvent completed = endLine();
            if (completed != null) {
                events = events.isEmpty() ? new ArrayList<>(2) : events;
                events.add(completed);
            }
        }
        return events;
    }

    /** At the end of the body: the event left unfinished, if it carried anything. */
    List<SseEvent> finish() {
        if (lineLength > 0) {
            endLine();
        }
        SseEvent last = inEvent ? dispatch() : null;
        return last == null ? List.of() : List.of(last);
    }

    private void append(ByteBuf piece, int from, int length) {
        eventBytes += length;
        if (eventBytes > maxEventBytes) {
            throw new EventTooLarge(maxEventBytes);
        }
        if (lineLength + length > line.length) {
            line = Arrays.copyOf(line, Math.max(lineLength + length, line.length * 2));
        }
        piece.getBytes(from, line, lineLength, length);
        lineLength += length;
    }

    private @Nullable SseEvent endLine() {
        if (lineLength == 0) {
            return inEvent ? dispatch() : null;
        }
        int length = lineLength;
        lineLength = 0;
        inEvent = true;
        int colon = 0;
        while (colon < length && line[colon] != ':') {
            colon++;
        }
        if (colon == 0) {
            return null; // a comment
        }
        int valueStart = Math.min(colon + 1, length);
        if (valueStart < length && line[valueStart] == ' ') {
            valueStart++;
        }
        if (isField(DATA, colon)) {
            byte[] value = Arrays.copyOfRange(line, valueStart, length);
            data = data == null ? value : joined(data, value); // several data lines are rare
        }
        else if (isField(EVENT, colon)) {
            event = new String(line, valueStart, length - valueStart, StandardCharsets.UTF_8).trim();
        }
        return null;
    }

    private boolean isField(byte[] name, int fieldLength) {
        return fieldLength == name.length && Arrays.equals(line, 0, fieldLength, name, 0, fieldLength);
    }

    private static byte[] joined(byte[] first, byte[] second) {
        byte[] joined = Arrays.copyOf(first, first.length + 1 + second.length);
        joined[first.length] = '\n';
        System.arraycopy(second, 0, joined, first.length + 1, second.length);
        return joined;
    }

    private SseEvent dispatch() {
        SseEvent dispatched = new SseEvent(event, data);
        data = null;
        event = null;
        inEvent = false;
        eventBytes = 0;
        return dispatched;
    }

    /** An event larger than the decoder accepts. */
    static final class EventTooLarge extends RuntimeException {

        EventTooLarge(int maxEventBytes) {
            super("an event larger than " + maxEventBytes + " bytes", null, false, false);
        }

    }

}
