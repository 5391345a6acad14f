package dev.tollgate.provider;

import tools.jackson.databind.node.ObjectNode;

/**
 * A whole (non-streamed) answer.
 *
 * @param body an OpenAI {@code chat.completion} object
 * @param usage what the provider reported, in OpenAI's accounting
 */
public record ChatCompletion(ObjectNode body, TokenUsage usage) {
}
