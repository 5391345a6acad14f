package dev.tollgate.provider;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * One upstream under {@code tollgate.providers.<name>}.
 *
 * @param type the adapter: {@code openai}, {@code openai-compatible}, {@code anthropic}, {@code gemini},
 *     {@code azure-openai}
 * @param baseUrl the API root, e.g. {@code https://api.openai.com/v1}; each type has a default where one exists
 * @param apiKeys the upstream keys, balanced by weight and calls in flight; may be empty for servers that need none
 *     (Ollama, vLLM)
 * @param keyWeights a weight per key, in the order of {@code apiKeys} (default 1 each)
 * @param timeouts connect, first-byte and idle-gap limits
 * @param apiVersion the {@code api-version} query parameter (Azure OpenAI) or {@code anthropic-version} header
 * @param streamOptions whether the provider accepts {@code stream_options.include_usage} (some compatible servers
 *     reject it; usage is then counted locally)
 * @param maxCompletionTokens whether the provider accepts {@code max_completion_tokens}; if not, a request's output
 *     cap is sent as {@code max_tokens} (Mistral answers 422 {@code extra_forbidden} for the newer name, which
 *     Anthropic's {@code max_tokens} on {@code /v1/messages} is always translated to)
 * @param headers extra headers sent on every call (e.g. OpenRouter's {@code HTTP-Referer})
 * @param maxConnections the most connections open to this provider at once from each event loop's pool; a cap too
 *     small to apply per loop is kept exactly, in one pool (see {@code LoopAffineClients})
 */
public record ProviderProperties(String type, @Nullable URI baseUrl, @DefaultValue List<String> apiKeys,
        @DefaultValue List<Integer> keyWeights, @DefaultValue Timeouts timeouts, @Nullable String apiVersion,
        @DefaultValue("true") boolean streamOptions, @DefaultValue("true") boolean maxCompletionTokens,
        @DefaultValue Map<String, String> headers, @DefaultValue("1000") int maxConnections) {

    /**
     * @param connect how long to wait for a TCP (and TLS) connection
     * @param firstByte how long to wait for the response to start (for a non-streamed call, the whole answer)
     * @param idle the longest gap allowed between two events of a stream
     */
    public record Timeouts(@DefaultValue("10s") Duration connect, @DefaultValue("300s") Duration firstByte,
            @DefaultValue("120s") Duration idle) {
    }

}
