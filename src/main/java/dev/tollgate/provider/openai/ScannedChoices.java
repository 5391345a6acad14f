package dev.tollgate.provider.openai;

import org.jspecify.annotations.Nullable;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;

/**
 * What OpenAI choices say, read off a streaming parser as {@code DeliveredText} and the tracker read a tree's: the
 * last finish reason, and the text they deliver (content, reasoning, tool-call names and arguments) from each
 * choice's {@code delta} (a stream chunk) or {@code message} (a whole answer).
 */
final class ScannedChoices {

    private final String textMember;
    private final StringBuilder text = new StringBuilder();
    private @Nullable String finishReason;
    private int count;

    private ScannedChoices(String textMember) {
        this.textMember = textMember;
    }

    /** Reads the choices array; the parser is on its {@code START_ARRAY} and is left on its {@code END_ARRAY}. */
    static ScannedChoices read(JsonParser parser, String textMember) {
        ScannedChoices choices = new ScannedChoices(textMember);
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

    @Nullable String finishReason() {
        return finishReason;
    }

    String text() {
        return text.toString();
    }

    int count() {
        return count;
    }

    private void readChoice(JsonParser parser) {
        String name;
        while ((name = parser.nextName()) != null) {
            JsonToken value = parser.nextToken();
            if (name.equals(textMember) && value == JsonToken.START_OBJECT) {
                readMessage(parser);
            }
            else if (name.equals("finish_reason") && value == JsonToken.VALUE_STRING) {
                finishReason = parser.getString();
            }
            else {
                parser.skipChildren();
            }
        }
    }

    private void readMessage(JsonParser parser) {
        String name;
        while ((name = parser.nextName()) != null) {
            JsonToken value = parser.nextToken();
            switch (name) {
                case "content", "refusal", "reasoning", "reasoning_content" -> appendString(parser, value);
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
