package dev.tollgate.provider;

import org.jspecify.annotations.Nullable;
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

    /**
     * The bytes to send, between {@code before} and {@code after}: the same chunk with the brand's id and model (when
     * branded) and without the cut range.
     */
    byte[] rewritten(@Nullable Brand brand, byte[] before, byte[] after) {
        ByteSplice splice = new ByteSplice(json);
        if (brand != null) {
            splice.replace(idStart, idEnd, brand.quotedId()).replace(modelStart, modelEnd, brand.quotedModel());
        }
        if (cutStart >= 0) {
            splice.replace(cutStart, cutEnd, ByteSplice.NOTHING);
        }
        return splice.bytes(before, after);
    }

    /** The chunk as a tree, for a consumer that needs one (the Anthropic Messages translation). */
    ObjectNode tree() {
        ObjectNode tree = (ObjectNode) mapper.readTree(json);
        tree.remove("usage");
        return tree;
    }

}
