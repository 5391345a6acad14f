package dev.tollgate.provider.openai;

import org.jspecify.annotations.Nullable;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
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
        try (JsonParser parser = json.createParser(bytes)) {
            return parser.nextToken() == JsonToken.START_OBJECT ? scanChunk(parser, bytes) : null;
        }
    }

    private @Nullable RelayedChunk scanChunk(JsonParser parser, byte[] bytes) {
        int idStart = -1;
        int idEnd = -1;
        int modelStart = -1;
        int modelEnd = -1;
        int cutStart = -1;
        int cutEnd = -1;
        Choices choices = null;
        String name;
        while ((name = parser.nextName()) != null) {
            int nameStart = (int) parser.currentTokenLocation().getByteOffset();
            JsonToken value = parser.nextToken();
            int valueStart = (int) parser.currentTokenLocation().getByteOffset();
            switch (name) {
                case "id", "model" -> {
                    // Named twice, the client's parser would take one and the tree path the other: leave it to a tree.
                    if (value != JsonToken.VALUE_STRING || (name.equals("id") ? idStart : modelStart) >= 0) {
                        return null;
                    }
                    parser.finishToken();
                    int valueEnd = (int) parser.currentLocation().getByteOffset();
                    if (name.equals("id")) {
                        idStart = valueStart;
                        idEnd = valueEnd;
                    }
                    else {
                        modelStart = valueStart;
                        modelEnd = valueEnd;
                    }
                }
                case "choices" -> {
                    if (value != JsonToken.START_ARRAY) {
                        return null;
                    }
                    choices = Choices.read(parser);
                }
                case "usage" -> {
                    if (value != JsonToken.VALUE_NULL || cutStart >= 0) {
                        return null;
                    }
                    cutStart = commaBefore(bytes, nameStart);
                    if (cutStart < 0) {
                        return null;
                    }
                    cutEnd = (int) parser.currentLocation().getByteOffset();
                }
                case "error" -> {
                    return null;
                }
                default -> parser.skipChildren();
            }
        }
        if (parser.nextToken() != null || idStart < 0 || modelStart < 0 || choices == null || choices.count == 0) {
            return null;
        }
        return new RelayedChunk(bytes, idStart, idEnd, modelStart, modelEnd, cutStart, cutEnd, choices.finishReason,
                choices.text.toString(), json);
    }

    /** Where the comma before a member is, or -1 when the member comes first. */
    private static int commaBefore(byte[] bytes, int memberStart) {
        int at = memberStart - 1;
        while (at >= 0 && (bytes[at] == ' ' || bytes[at] == '\t')) {
            at--;
        }
        return at >= 0 && bytes[at] == ',' ? at : -1;
    }

    /** What the choices of a chunk say, read as DeliveredText and GenerationTracker read a tree's. */
    private static final class Choices {

        private final StringBuilder text = new StringBuilder();
        private @Nullable String finishReason;
        private int count;

        static Choices read(JsonParser parser) {
            Choices choices = new Choices();
            JsonToken token;
            while ((token = parser.nextToken()) != JsonToken.END_ARRAY) {
                if (token == JsonToken.START_OBJECT) {
                    choices.readChoice(parser);
                    choices.count++;
                }
                else {
                    parser.skipChildren();
                }
            }
            return choices;
        }

        private void readChoice(JsonParser parser) {
            String name;
            while ((name = parser.nextName()) != null) {
                JsonToken value = parser.nextToken();
                if (name.equals("delta") && value == JsonToken.START_OBJECT) {
                    readDelta(parser);
                }
                else if (name.equals("finish_reason") && value == JsonToken.VALUE_STRING) {
                    finishReason = parser.getString();
                }
                else {
                    parser.skipChildren();
                }
            }
        }

        private void readDelta(JsonParser parser) {
            String name;
            while ((name = parser.nextName()) != null) {
                JsonToken value = parser.nextToken();
                switch (name) {
                    case "content", "reasoning", "reasoning_content" -> appendString(parser, value);
                    case "tool_calls" -> {
                        if (value == JsonToken.START_ARRAY) {
                            readToolCalls(parser);
                        }
                        else {
                            parser.skipChildren();
                        }
                    }
                    default -> parser.skipChildren();
                }
            }
        }

        private void readToolCalls(JsonParser parser) {
            JsonToken call;
            while ((call = parser.nextToken()) != JsonToken.END_ARRAY) {
                if (call != JsonToken.START_OBJECT) {
                    parser.skipChildren();
                    continue;
                }
                String name;
                while ((name = parser.nextName()) != null) {
                    JsonToken value = parser.nextToken();
                    if (name.equals("function") && value == JsonToken.START_OBJECT) {
                        String field;
                        while ((field = parser.nextName()) != null) {
                            JsonToken part = parser.nextToken();
                            if (field.equals("name") || field.equals("arguments")) {
                                appendString(parser, part);
                            }
                            else {
                                parser.skipChildren();
                            }
                        }
                    }
                    else {
                        parser.skipChildren();
                    }
                }
            }
        }

        private void appendString(JsonParser parser, JsonToken value) {
            if (value == JsonToken.VALUE_STRING) {
                text.append(parser.getString());
            }
            else {
                parser.skipChildren();
            }
        }

    }

}
