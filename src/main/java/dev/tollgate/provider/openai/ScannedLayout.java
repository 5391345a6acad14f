package dev.tollgate.provider.openai;

import org.jspecify.annotations.Nullable;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;

import dev.tollgate.provider.TokenUsage;

/**
 * Where the members the proxy rewrites lie in an OpenAI answer or stream chunk, read in one pass over its tokens:
 * the {@code id} and {@code model} values (strings, quotes included), the {@code usage} member, the closing brace, and
 * what the choices say. Byte offsets are into the bytes the parser reads.
 */
final class ScannedLayout {

    int idStart = -1;
    int idEnd = -1;
    int modelStart = -1;
    int modelEnd = -1;
    /** Where the {@code usage} member's name starts, or -1 when there is none. */
    int usageNameStart = -1;
    int usageStart = -1;
    int usageEnd = -1;
    @Nullable JsonToken usageToken;
    /** The {@code usage} value when it is an object, read off its tokens ({@link OpenAiUsage#read}). */
    @Nullable TokenUsage usage;
    @Nullable ScannedChoices choices;
    int closingBrace = -1;

    private ScannedLayout() {
    }

    /**
     * Reads one JSON object. Answers null for anything a tree should handle instead: not an object, {@code id} or
     * {@code model} not strings, any of {@code id}, {@code model} and {@code usage} named twice (a client's parser and
     * ours could each take a different one), an {@code error} member, choices that are not an array, or more JSON
     * after the object, or a usage {@link OpenAiUsage#read} leaves to a tree. Fails, as reading a tree would, on JSON
     * that is not well-formed.
     *
     * @param textMember {@code delta} (a stream chunk) or {@code message} (a whole answer)
     * @param readUsage whether a {@code usage} object is read; if not, such a usage answers null
     */
    static @Nullable ScannedLayout scan(JsonParser parser, String textMember, boolean readUsage) {
        if (parser.nextToken() != JsonToken.START_OBJECT) {
            return null;
        }
        ScannedLayout layout = new ScannedLayout();
        String name;
        while ((name = parser.nextName()) != null) {
            // Only where a position is kept: each reading of one allocates a location (a dozen per answer otherwise).
            int nameStart = name.equals("usage") ? offset(parser) : -1;
            JsonToken value = parser.nextToken();
            switch (name) {
                case "id", "model" -> {
                    if (value != JsonToken.VALUE_STRING || (name.equals("id") ? layout.idStart : layout.modelStart) >= 0) {
                        return null;
                    }
                    int valueStart = offset(parser);
                    parser.finishToken();
                    int valueEnd = (int) parser.currentLocation().getByteOffset();
                    if (name.equals("id")) {
                        layout.idStart = valueStart;
                        layout.idEnd = valueEnd;
                    }
                    else {
                        layout.modelStart = valueStart;
                        layout.modelEnd = valueEnd;
                    }
                }
                case "choices" -> {
                    if (value != JsonToken.START_ARRAY || layout.choices != null) {
                        return null;
                    }
                    layout.choices = ScannedChoices.read(parser, textMember);
                }
                case "usage" -> {
                    if (layout.usageNameStart >= 0) {
                        return null;
                    }
                    int valueStart = offset(parser);
                    if (value == JsonToken.START_OBJECT) {
                        layout.usage = readUsage ? OpenAiUsage.read(parser) : null;
                        if (layout.usage == null) {
                            return null;
                        }
                    }
                    else {
                        parser.skipChildren();
                        parser.finishToken();
                    }
                    layout.usageNameStart = nameStart;
                    layout.usageStart = valueStart;
                    layout.usageEnd = (int) parser.currentLocation().getByteOffset();
                    layout.usageToken = value;
                }
                case "error" -> {
                    return null;
                }
                default -> parser.skipChildren();
            }
        }
        layout.closingBrace = offset(parser);
        return parser.nextToken() == null ? layout : null;
    }

    /** Where the current token starts. */
    private static int offset(JsonParser parser) {
        return (int) parser.currentTokenLocation().getByteOffset();
    }

    boolean hasIdAndModel() {
        return idStart >= 0 && modelStart >= 0;
    }

}
