package dev.tollgate.proxy;

import java.util.List;

import org.jspecify.annotations.Nullable;
import tools.jackson.databind.node.ObjectNode;

import dev.tollgate.metering.PromptEstimator;
import dev.tollgate.routing.ProviderPreferences;

/**
 * A validated Chat Completions request.
 *
 * @param body the request as the provider should get it: OpenAI's fields only, Tollgate's own removed
 * @param model the public model id asked for
 * @param stream whether the client wants a stream
 * @param streamUsage whether the client asked for the usage chunk ({@code stream_options.include_usage})
 * @param includeCost whether the client asked for {@code usage.cost} ({@code usage: {"include": true}})
 * @param maxTokens {@code max_completion_tokens} or {@code max_tokens}, when given
 * @param choices {@code n}: how many answers the provider writes (and bills), each up to {@code maxTokens}
 * @param fallbackModels OpenRouter's {@code models}: other models to try, in order
 * @param providers OpenRouter's {@code provider}: which providers to prefer, allow or skip, and how to rank them
 * @param prompt the prompt's estimate, made once for the rate limits and every credit hold of the call
 */
record ChatRequest(ObjectNode body, String model, boolean stream, boolean streamUsage, boolean includeCost,
        @Nullable Integer maxTokens, int choices, List<String> fallbackModels, ProviderPreferences providers,
        PromptEstimator.Estimate prompt) {
}
