package dev.tollgate.provider;

import tools.jackson.core.io.JsonStringEncoder;

/**
 * A provider's bytes with a few ranges replaced, copied once: how a relayed answer gets Tollgate's id, model and
 * usage without being parsed and written again. Ranges may be added in any order; they never overlap (an insertion
 * is an empty range).
 */
final class ByteSplice {

    static final byte[] NOTHING = new byte[0];

    private final byte[] source;
    private final int[] starts = new int[4];
    private final int[] ends = new int[4];
    private final byte[][] values = new byte[4][];
    private int count;

    ByteSplice(byte[] source) {
        this.source = source;
    }

    /** Puts {@code value} where {@code [start, end)} of the source was. */
    ByteSplice replace(int start, int end, byte[] value) {
        int at = count;
        while (at > 0 && starts[at - 1] > start) {
            starts[at] = starts[at - 1];
            ends[at] = ends[at - 1];
            values[at] = values[at - 1];
            at--;
        }
        starts[at] = start;
        ends[at] = end;
        values[at] = value;
        count++;
        return this;
    }

    byte[] bytes() {
        return count == 0 ? source : bytes(NOTHING, NOTHING);
    }

    /**
     * The result between {@code before} and {@code after} (an event's framing, say), in the same single copy, where
     * framing it afterwards would copy it again.
     */
    byte[] bytes(byte[] before, byte[] after) {
        int length = before.length + source.length + after.length;
        for (int i = 0; i < count; i++) {
            length += values[i].length - (ends[i] - starts[i]);
        }
        byte[] out = new byte[length];
        System.arraycopy(before, 0, out, 0, before.length);
        int from = 0;
        int to = before.length;
        for (int i = 0; i < count; i++) {
            System.arraycopy(source, from, out, to, starts[i] - from);
            to += starts[i] - from;
            System.arraycopy(values[i], 0, out, to, values[i].length);
            to += values[i].length;
            from = ends[i];
        }
        System.arraycopy(source, from, out, to, source.length - from);
        System.arraycopy(after, 0, out, to + source.length - from, after.length);
        return out;
    }

    /** A JSON string literal, quotes included, in UTF-8. */
    static byte[] quoted(String value) {
        byte[] escaped = JsonStringEncoder.getInstance().quoteAsUTF8(value);
        byte[] quoted = new byte[escaped.length + 2];
        quoted[0] = '"';
        System.arraycopy(escaped, 0, quoted, 1, escaped.length);
        quoted[quoted.length - 1] = '"';
        return quoted;
    }

}
