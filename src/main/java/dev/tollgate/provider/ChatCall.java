package dev.tollgate.provider;

import org.jspecify.annotations.Nullable;
import tools.jackson.databind.node.ObjectNode;

/**
 * One chat completion to send to a provider.
 *
 * @param request the client's request in OpenAI Chat Completions format, with Tollgate's own fields removed; adapters
 *     must not modify it (a fallback may send it again to another provider)
 * @param upstreamModel the model id as the provider knows it
 * @param stream whether to stream
 * @param attempt what routing logs of this call (the key used, the provider's status) and the trace it carries on;
 *     adapters hand it to {@link UpstreamHttp} (null outside routing)
 * @param outputCap the output cap to send when the request has none (the one the credit hold assumed); null: none,
 *     the provider's own maximum applies
 */
public record ChatCall(ObjectNode request, String upstreamModel, boolean stream, @Nullable UpstreamAttempt attempt,
        @Nullable Integer outputCap) {

    public ChatCall(ObjectNode request, String upstreamModel, boolean stream, @Nullable UpstreamAttempt attempt) {
        this(request, upstreamModel, stream, attempt, null);
    }

}
