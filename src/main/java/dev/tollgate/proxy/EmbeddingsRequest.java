package dev.tollgate.proxy;

import tools.jackson.databind.node.ObjectNode;

/**
 * A validated embeddings request.
 *
 * @param body the request as the provider should get it: OpenAI's fields only, Tollgate's own removed
 * @param model the public model id asked for
 * @param inputs how many texts (or token arrays) are to be embedded
 * @param estimatedTokens an upper estimate of the input tokens, for the credit hold (as
 *     {@code PromptEstimator} sizes chat prompts: one token per three bytes of UTF-8, one per token id)
 * @param includeCost OpenRouter's {@code usage: {"include": true}}: the answer's usage gives its cost in USD
 */
record EmbeddingsRequest(ObjectNode body, String model, int inputs, long estimatedTokens, boolean includeCost) {
}
