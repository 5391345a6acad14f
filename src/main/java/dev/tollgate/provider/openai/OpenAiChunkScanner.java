package dev.tollgate.provider.openai;

import org.jspecify.annotations.Nullable;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.ObjectReadContext;
import tools.jackson.databind.json.JsonMapper;

import dev.tollgate.provider.RelayedChunk;

/**
 * Reads what the proxy needs off an OpenAI stream chunk in one pass over its tokens, without building a tree: where
 * its {@code id} and {@code model} values lie (to rewrite them), a {@code "usage":null} member to cut, the choices'
 * last finish reason and the text they deliver (content, reasoning, tool-call names and arguments: what a stream cut
 * short is billed for). Answers null for a chunk out of the usual shape (usage or an error in it, no choices, id or
 * model missing, named twice or not a string, JSON over several lines), which the decoder then reads as a tree; fails, as reading
 * a tree would, on JSON that is not well-formed.
 */
final class OpenAiChunkScanner {

    private final JsonMapper json;

    OpenAiChunkScanner(JsonMapper json) {
        this.json = json;
    }

    @Nullable RelayedChunk scan(byte[] bytes) {
        for (byte b : bytes) {
            if (b == '\n' || b == '\r') { // the frame relaying it has to be one data line
                return null;
            }
        }
        ScannedLayout layout;
        // A parser of the factory's own, not the mapper's: the mapper's makes a deserialization context for every
        // parser, a tenth of what scanning a chunk allocated; a chunk is never read into a tree here (a usage object
        // sends it to the tree path).
        try (JsonParser parser = json.tokenStreamFactory().createParser(ObjectReadContext.empty(), bytes)) {
            layout = ScannedLayout.scan(parser, "delta", false);
        }
        if (layout == null || !layout.hasIdAndModel() || layout.choices == null || layout.choices.count() == 0) {
            return null;
        }
        int cutStart = -1;
        int cutEnd = -1;
        if (layout.usageNameStart >= 0) {
            cutStart = commaBefore(bytes, layout.usageNameStart);
            if (layout.usageToken != JsonToken.VALUE_NULL || cutStart < 0) {
                return null;
            }
            cutEnd = layout.usageEnd;
        }
        return new RelayedChunk(bytes, layout.idStart, layout.idEnd, layout.modelStart, layout.modelEnd, cutStart,
                cutEnd, layout.choices.finishReason(), layout.choices.text(), json);
    }

    /** Where the comma before a member is, or -1 when the member comes first. */
    private static int commaBefore(byte[] bytes, int memberStart) {
        int at = memberStart - 1;
        while (at >= 0 && (bytes[at] == ' ' || bytes[at] == '\t')) {
            at--;
        }
        return at >= 0 && bytes[at] == ',' ? at : -1;
    }

}
