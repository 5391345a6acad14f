package dev.tollgate.metering;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.MissingNode;

/**
 * Sizes a Chat Completions prompt without tokenizing it, for the rate limits and the credit hold placed before a
 * call. It counts one token per three bytes of UTF-8 text, which is above what BPE tokenizers produce for English and
 * code (about four bytes per token) and close for other scripts, plus a fixed allowance per message and per image, and
 * audio and files by their data's length. Cheap enough for every request: one pass over the text, made once a call.
 */
public final class PromptEstimator {

    static final int TOKENS_PER_MESSAGE = 8;

    static final int TOKENS_PER_IMAGE = 1_600;

    static final int LEAST_TOKENS_PER_IMAGE = 85;

    static final int BASE64_CHARS_PER_AUDIO_TOKEN = 40;

    static final int BASE64_CHARS_PER_DOCUMENT_TOKEN = 400;

    private PromptEstimator() {
    }

    /**
     * A prompt's estimate, in one pass over it.
     *
     * @param tokens the whole prompt's tokens, audio included
     * @param audioTokens those of them that are audio, which some models price above text
     * @param hourCache whether the prompt asks for a one-hour cache ({@code "cache_control":{"type":"ephemeral",
     *     "ttl":"1h"}} on a content part or a tool), whose writes cost twice the input price
     * @param cacheWrite whether the prompt asks for any cache ({@code cache_control} on a content part or a tool),
     *     whose writes cost more than input (Anthropic's five-minute writes, 1.25 times)
     */
    public record Estimate(long tokens, long audioTokens, boolean hourCache, boolean cacheWrite) {

        /** A prompt that asks for no cache. */
        public Estimate(long tokens, long audioTokens) {
            this(tokens, audioTokens, false, false);
        }

    }

    public static Estimate estimate(JsonNode chatRequest) {
        long bytes = 0;
        long fixed = 0;
        long audio = 0;
        boolean hourCache = false;
        boolean cacheWrite = false;
        for (JsonNode message : chatRequest.path("messages")) {
            fixed += TOKENS_PER_MESSAGE;
            JsonNode content = message.path("content");
            if (content.isString()) {
                bytes += utf8Length(content.stringValue());
            }
            else if (content.isArray()) {
                for (JsonNode part : content) {
                    hourCache |= hourCache(part);
                    cacheWrite |= part.path("cache_control").isObject();
                    // By type first, as the adapters read parts: an audio part with a "text" beside is audio.
                    String type = part.path("type").asString("");
                    JsonNode data = data(part, type);
                    if (type.equals("input_audio") || isAudioDataUrl(data)) {
                        long tokens = sized(data, BASE64_CHARS_PER_AUDIO_TOKEN);
                        audio += tokens;
                        fixed += tokens;
                    }
                    else if (part.path("text").isString()) {
                        bytes += utf8Length(part.path("text").stringValue());
                    }
                    else if (!type.equals("text")) {
                        // An image's tokens do not grow with its bytes; a file's (a PDF, a video) do.
                        fixed += type.equals("file") || isDocumentDataUrl(data)
                                ? sized(data, BASE64_CHARS_PER_DOCUMENT_TOKEN) : TOKENS_PER_IMAGE;
                    }
                }
            }
            for (JsonNode call : message.path("tool_calls")) {
                bytes += utf8Length(call.path("function").path("arguments").asString(""));
                bytes += utf8Length(call.path("function").path("name").asString(""));
            }
        }
        for (JsonNode tool : chatRequest.path("tools")) {
            hourCache |= hourCache(tool);
            cacheWrite |= tool.path("cache_control").isObject();
            // Tool schemas are JSON; their serialized size is a fair measure of what the provider tokenizes.
            bytes += tool.toString().length();
        }
        return new Estimate((bytes + 2) / 3 + fixed, audio, hourCache, cacheWrite || hourCache);
    }

    public static long estimateTokens(JsonNode chatRequest) {
        return estimate(chatRequest).tokens();
    }

    /** The estimate's share that is audio ({@link #estimateTokens} counts it in). */
    public static long estimateAudioTokens(JsonNode chatRequest) {
        return estimate(chatRequest).audioTokens();
    }

    public static boolean asksHourCache(JsonNode chatRequest) {
        return estimate(chatRequest).hourCache();
    }

    /** The base64 data a media part carries: an audio part's data, an image's URL, a file's data URL. */
    private static JsonNode data(JsonNode part, String type) {
        return switch (type) {
            case "input_audio" -> part.path("input_audio").path("data");
            case "image_url" -> part.path("image_url").path("url");
            case "file" -> part.path("file").path("file_data");
            default -> MissingNode.getInstance();
        };
    }

    /** An audio data URL in an image or file part: the Gemini adapter sends any type as inline data. */
    private static boolean isAudioDataUrl(JsonNode data) {
        return data.isString() && data.stringValue().regionMatches(true, 0, "data:audio/", 0, 11);
    }

    /** A data URL that is not an image's (a PDF, a video) in an image part. */
    private static boolean isDocumentDataUrl(JsonNode data) {
        return data.isString() && data.stringValue().startsWith("data:")
                && !data.stringValue().regionMatches(true, 5, "image/", 0, 6);
    }

    /**
     * Audio and files (a PDF, a video) sized from their base64 data's length, at least what an image counts. Gemini
     * counts 32 tokens a second of audio, and a second of 8 kbps speech is about 1,330 base64 characters, so one token
     * per {@value #BASE64_CHARS_PER_AUDIO_TOKEN} holds enough for any bitrate above that (and sixteen times too much
     * for 128 kbps music, given back when the call settles). It counts 258 tokens a page and 263 a second of video: a
     * page of a scanned PDF or a second of 1 Mbps video is over 100,000 base64 characters, so one token per
     * {@value #BASE64_CHARS_PER_DOCUMENT_TOKEN} holds enough for most.
     */
    private static long sized(JsonNode data, int charsPerToken) {
        long length = data.isString() ? data.stringValue().length() : 0;
        return Math.max(TOKENS_PER_IMAGE, length / charsPerToken);
    }

    private static boolean hourCache(JsonNode marked) {
        return "1h".equals(marked.path("cache_control").path("ttl").asString(""));
    }

    /**
     * The text of a prompt as a provider tokenizes it, for counting it with a tokenizer when the provider never said:
     * the messages' text, the tool calls in them (names and arguments) and the tool schemas, which a provider bills as
     * prompt too (often thousands of tokens). What a tokenizer cannot count from text is
     * {@link #promptOverheadTokens}.
     */
    public static String promptText(JsonNode chatRequest) {
        StringBuilder text = new StringBuilder();
        for (JsonNode message : chatRequest.path("messages")) {
            JsonNode content = message.path("content");
            if (content.isString()) {
                text.append(content.stringValue()).append('\n');
            }
            else {
                for (JsonNode part : content) {
                    text.append(part.path("text").asString("")).append('\n');
                }
            }
            for (JsonNode call : message.path("tool_calls")) {
                text.append(call.path("function").path("name").asString("")).append('\n')
                    .append(call.path("function").path("arguments").asString("")).append('\n');
            }
        }
        for (JsonNode tool : chatRequest.path("tools")) {
            text.append(tool.toString()).append('\n');
        }
        return text.toString();
    }

    /**
     * The prompt tokens no text shows, at the least a provider counts them: 3 per message and 3 that prime the reply
     * (OpenAI's count for its chat models), and 85 per image (a low-detail image, the least OpenAI bills one).
     */
    public static long promptOverheadTokens(JsonNode chatRequest) {
        long tokens = 3;
        for (JsonNode message : chatRequest.path("messages")) {
            tokens += 3;
            for (JsonNode part : message.path("content")) {
                if (!part.path("text").isString() && !"text".equals(part.path("type").asString(""))) {
                    tokens += LEAST_TOKENS_PER_IMAGE;
                }
            }
        }
        return tokens;
    }

    private static long utf8Length(String text) {
        long length = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < 0x80) {
                length += 1;
            }
            else if (c < 0x800) {
                length += 2;
            }
            else if (Character.isHighSurrogate(c)) {
                length += 4;
                i++;
            }
            else {
                length += 3;
            }
        }
        return length;
    }

}
