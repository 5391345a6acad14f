package dev.tollgate.provider;

import reactor.core.publisher.Mono;
import tools.jackson.databind.node.ObjectNode;

/**
 * An optional capability of a {@link ChatProvider}: OpenAI-style embeddings. Adapters whose upstream can embed text
 * implement it next to {@code ChatProvider}; callers check with {@code instanceof}. Failures are
 * {@link UpstreamException}s, already mapped to what a client should see.
 */
public interface EmbeddingProvider {

    /** Embeds the request's {@code input}, in order, as OpenAI's {@code POST /v1/embeddings} would. */
    Mono<Embeddings> embed(EmbeddingCall call);

    /**
     * One embeddings call.
     *
     * @param request the client's request in OpenAI's format, validated, with Tollgate's own fields removed; adapters
     *     must not modify it
     * @param upstreamModel the model id as the provider knows it
     */
    record EmbeddingCall(ObjectNode request, String upstreamModel) {
    }

    /**
     * The answer.
     *
     * @param body an OpenAI {@code list} of {@code embedding} objects, in input order
     * @param usage the input tokens the provider counted (embeddings have no completion tokens)
     */
    record Embeddings(ObjectNode body, TokenUsage usage) {
    }

}
