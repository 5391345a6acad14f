package dev.tollgate.cache;

import org.jspecify.annotations.Nullable;

import dev.tollgate.provider.TokenUsage;

/**
 * A whole answer kept for later calls: the OpenAI {@code chat.completion} JSON the provider's answer became (its id
 * and model are replaced by each call's own), its usage, and who wrote it.
 *
 * @param json the answer as a tree's JSON, before Tollgate's id, model and usage were put in
 * @param usage what the provider reported for it, shown again (at no charge) to the calls it serves
 * @param stopSequence the stop sequence that ended it, for {@code /v1/messages}, when the provider said
 * @param model the public model that answered (a fallback's, if one did)
 * @param provider the provider that answered
 */
public record CachedAnswer(byte[] json, TokenUsage usage, @Nullable String stopSequence, String model,
        String provider) {

    /** What the entry weighs in the cache: its JSON, and a little for the rest. */
    int weight() {
        return json.length + 256;
    }

}
