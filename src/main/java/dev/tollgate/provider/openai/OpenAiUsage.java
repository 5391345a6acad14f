package dev.tollgate.provider.openai;

import org.jspecify.annotations.Nullable;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.databind.JsonNode;

import dev.tollgate.provider.TokenCounts;
import dev.tollgate.provider.TokenUsage;

/**
 * Reads OpenAI's {@code usage} object, which is already in Tollgate's accounting (prompt includes cached). The prompt's
 * audio tokens ({@code prompt_tokens_details.audio_tokens}: OpenAI's audio models, Gemini behind an OpenAI-format
 * route) are counted apart, as audio costs more than text, and so are the answer's
 * ({@code completion_tokens_details.audio_tokens}: an audio model answering with speech).
 */
final class OpenAiUsage {

    /** A count {@link #read} leaves to the tree; never a count, which is at least 0. */
    private static final long FOR_THE_TREE = -1;

    private OpenAiUsage() {
    }

    /** @throws dev.tollgate.provider.UpstreamException 502 for a count above {@link TokenCounts#MAX} */
    static TokenUsage from(JsonNode usage, String provider) {
        long prompt = TokenCounts.of(usage.path("prompt_tokens"), 0, provider);
        long cached = TokenCounts.of(usage.path("prompt_tokens_details").path("cached_tokens"), 0, provider);
        long audio = TokenCounts.of(usage.path("prompt_tokens_details").path("audio_tokens"), 0, provider);
        // OpenAI's audio tokens are all the prompt's audio, cached or not, and it does not say how they split: only
        // the overlap the counts force (audio and cached together beyond the prompt) is taken as cached audio.
        long cachedAudio = Math.min(audio, Math.min(cached, Math.max(0, audio + cached - prompt)));
        return new TokenUsage(prompt, TokenCounts.of(usage.path("completion_tokens"), 0, provider), cached, 0,
                TokenCounts.of(usage.path("completion_tokens_details").path("reasoning_tokens"), 0, provider), 0,
                audio - cachedAudio, cachedAudio,
                TokenCounts.of(usage.path("completion_tokens_details").path("audio_tokens"), 0, provider));
    }

    /**
     * What {@link #from} reads, off the tokens of the usage object whose start the parser is on, without a tree:
     * reading one (a deserialization context, and a map for each of the three objects) was two fifths of the time
     * a whole answer's scan took at 500 requests/s (README "Benchmarks"). A member named twice counts as in the tree,
     * the last one. Null for a count that is not a whole number up to {@link TokenCounts#MAX}: the tree's rules for
     * those (fractions cut, larger values refused) are left to the tree. Leaves the parser on the object's end.
     */
    static @Nullable TokenUsage read(JsonParser parser) {
        long prompt = 0;
        long completion = 0;
        long cached = 0;
        long reasoning = 0;
        String name;
        while ((name = parser.nextName()) != null) {
            JsonToken value = parser.nextToken();
            switch (name) {
                case "prompt_tokens" -> prompt = count(parser, value);
                case "completion_tokens" -> completion = count(parser, value);
                // Audio in the prompt or the answer (rare) is left to the tree, which reads it too.
                case "prompt_tokens_details" -> cached = detail(parser, value, "cached_tokens", "audio_tokens");
                case "completion_tokens_details" -> reasoning = detail(parser, value, "reasoning_tokens",
                        "audio_tokens");
                default -> parser.skipChildren();
            }
            if (prompt == FOR_THE_TREE || completion == FOR_THE_TREE || cached == FOR_THE_TREE
                    || reasoning == FOR_THE_TREE) {
                return null;
            }
        }
        return new TokenUsage(prompt, completion, cached, 0, reasoning);
    }

    private static long count(JsonParser parser, JsonToken value) {
        if (value == JsonToken.VALUE_NUMBER_INT) {
            if (parser.getNumberType() == JsonParser.NumberType.BIG_INTEGER) {
                return FOR_THE_TREE;
            }
            long count = parser.getLongValue();
            return count > TokenCounts.MAX ? FOR_THE_TREE : Math.max(0, count);
        }
        if (value == JsonToken.VALUE_NUMBER_FLOAT) {
            return FOR_THE_TREE;
        }
        parser.skipChildren();
        return 0;
    }

    /**
     * One count inside a details object; 0 when the details are not an object or do not have it;
     * {@link #FOR_THE_TREE} when {@code leftToTheTree} is there and not 0.
     */
    private static long detail(JsonParser parser, JsonToken value, String member, @Nullable String leftToTheTree) {
        if (value != JsonToken.START_OBJECT) {
            parser.skipChildren();
            return 0;
        }
        long count = 0;
        boolean forTheTree = false;
        String name;
        while ((name = parser.nextName()) != null) {
            JsonToken token = parser.nextToken();
            if (name.equals(member)) {
                count = count(parser, token);
                forTheTree |= count == FOR_THE_TREE;
            }
            else if (name.equals(leftToTheTree)) {
                forTheTree |= count(parser, token) != 0;
            }
            else {
                parser.skipChildren();
            }
        }
        return forTheTree ? FOR_THE_TREE : count;
    }

}
