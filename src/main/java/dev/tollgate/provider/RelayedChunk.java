package dev.tollgate.provider;

import org.jspecify.annotations.Nullable;
import tools.jackson.core.io.JsonStringEncoder;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * A stream chunk in OpenAI's format as its provider sent it, with the byte ranges the proxy rewrites and what it
 * reads: the {@code id} and {@code model} values (each a JSON string, quotes included), an optional range to cut
 * (a {@code "usage":null} member, with the comma before it), the last finish reason and the delivered text. Rewriting
 * copies the bytes once, putting new values in those ranges; nothing is parsed again.
 *
 * @param json the chunk, one line of UTF-8 JSON
 * @param cutStart where the range to leave out starts, or -1 when there is none
 */
public record RelayedChunk(byte[] json, int idStart, int idEnd, int modelStart, int modelEnd, int cutStart,
        int cutEnd, @Nullable String finishReason, String text, JsonMapper mapper) {

    /** The bytes to send: the same chunk with the given id and model (when not null) and without the cut range. */
    byte[] rewritten(@Nullable String id, @Nullable String model) {
        if (id == null && cutStart < 0) {
            return json;
        }
        int[] starts = new int[3];
        int[] ends = new int[3];
        byte[][] values = new byte[3][];
        int ranges = 0;
        if (id != null) {
            ranges = insert(starts, ends, values, ranges, idStart, idEnd, quoted(id));
            ranges = insert(starts, ends, values, ranges, modelStart, modelEnd, quoted(model));
        }
        if (cutStart >= 0) {
            ranges = insert(starts, ends, values, ranges, cutStart, cutEnd, new byte[0]);
        }
        int length = json.length;
        for (int i = 0; i < ranges; i++) {
            length += values[i].length - (ends[i] - starts[i]);
        }
        byte[] out = new byte[length];
        int from = 0;
        int to = 0;
        for (int i = 0; i < ranges; i++) {
            System.arraycopy(json, from, out, to, starts[i] - from);
            to += starts[i] - from;
            System.arraycopy(values[i], 0, out, to, values[i].length);
            to += values[i].length;
            from = ends[i];
        }
        System.arraycopy(json, from, out, to, json.length - from);
        return out;
    }

    /** Adds a range keeping them ordered by start (they never overlap). */
    private static int insert(int[] starts, int[] ends, byte[][] values, int count, int start, int end, byte[] value) {
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
        return count + 1;
    }

    /** The chunk as a tree, for a consumer that needs one (the Anthropic Messages translation). */
    ObjectNode tree() {
        ObjectNode tree = (ObjectNode) mapper.readTree(json);
        tree.remove("usage");
        return tree;
    }

    private static byte[] quoted(@Nullable String value) {
        byte[] escaped = JsonStringEncoder.getInstance().quoteAsUTF8(value == null ? "" : value);
        byte[] quoted = new byte[escaped.length + 2];
        quoted[0] = '"';
        System.arraycopy(escaped, 0, quoted, 1, escaped.length);
        quoted[quoted.length - 1] = '"';
        return quoted;
    }

}
