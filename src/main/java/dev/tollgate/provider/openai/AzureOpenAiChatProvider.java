package dev.tollgate.provider.openai;

import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpHeaders;
import org.springframework.web.util.UriUtils;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import tools.jackson.databind.json.JsonMapper;

import dev.tollgate.provider.ChatCall;
import dev.tollgate.provider.ChatCompletion;
import dev.tollgate.provider.ChatProvider;
import dev.tollgate.provider.ChatStreamEvent;
import dev.tollgate.provider.EmbeddingProvider;
import dev.tollgate.provider.UpstreamHttp;
import dev.tollgate.provider.UpstreamHttp.KeyPolicy;

/**
 * Azure OpenAI: OpenAI's request and answer formats (the OpenAI mappers and decoder serve it unchanged) behind
 * per-deployment URLs, {@code {base}/openai/deployments/{deployment}/chat/completions?api-version=…}, with the key in
 * {@code api-key}. The catalog's upstream id of an Azure model is its deployment name. Azure's streams open with a
 * chunk of prompt-filter results and no choices, which the OpenAI decoder already skips.
 */
final class AzureOpenAiChatProvider implements ChatProvider, EmbeddingProvider {

    private final UpstreamHttp http;
    private final String deployments;
    private final String apiVersion;
    private final OpenAiRequestMapper requests;
    private final OpenAiResponseMapper responses;
    private final OpenAiStreamDecoder streams;
    private final AzureOpenAiErrorMapper errors;
    private final OpenAiEmbeddingMapper embeddings;

    AzureOpenAiChatProvider(UpstreamHttp http, String apiVersion, boolean streamOptions, boolean maxCompletionTokens,
            JsonMapper json) {
        this.http = http;
        String base = http.baseUrl().toString().replaceAll("/+$", "");
        // Accept the resource URL with or without Azure's /openai path, as the portal shows both.
        this.deployments = (base.endsWith("/openai") ? base : base + "/openai") + "/deployments/";
        this.apiVersion = URLEncoder.encode(apiVersion, StandardCharsets.UTF_8);
        // An api-version before 2024-09-01-preview knows only max_tokens: max-completion-tokens: false then.
        this.requests = new OpenAiRequestMapper(json, streamOptions, maxCompletionTokens, true);
        this.responses = new OpenAiResponseMapper(json, http.provider());
        this.streams = new OpenAiStreamDecoder(json, http.provider());
        this.errors = new AzureOpenAiErrorMapper(new OpenAiErrorMapper(json, http.provider()), json, http.provider());
        this.embeddings = new OpenAiEmbeddingMapper(json, http.provider());
    }

    @Override
    public String name() {
        return http.provider();
    }

    @Override
    public Mono<ChatCompletion> complete(ChatCall call) {
        return Mono.defer(() -> http.postJson(call.attempt(), uri(call.upstreamModel(), "chat/completions"),
                KeyPolicy.REQUIRED, AzureOpenAiChatProvider::auth, requests.toBody(call), errors))
            .map(responses::toCompletion);
    }

    @Override
    public Flux<ChatStreamEvent> stream(ChatCall call) {
        return Flux.defer(() -> {
            OpenAiStreamDecoder.Ending ending = OpenAiStreamDecoder.Ending.of(call.request());
            return streams.ended(http.postForEvents(call.attempt(), uri(call.upstreamModel(), "chat/completions"),
                    KeyPolicy.REQUIRED, AzureOpenAiChatProvider::auth, requests.toBody(call), errors,
                    event -> streams.decode(event.data(), ending)), ending);
        });
    }

    @Override
    public Mono<Embeddings> embed(EmbeddingCall call) {
        return Mono.defer(() -> http.postJson(uri(call.upstreamModel(), "embeddings"), KeyPolicy.REQUIRED,
                AzureOpenAiChatProvider::auth,
                embeddings.toBody(call), errors))
            .map(embeddings::toEmbeddings);
    }

    @Override
    public void close() {
        http.close();
    }

    private URI uri(String deployment, String operation) {
        return URI.create(deployments + UriUtils.encodePathSegment(deployment, StandardCharsets.UTF_8) + "/"
                + operation + "?api-version=" + apiVersion);
    }

    private static void auth(HttpHeaders headers, @Nullable String key) {
        if (key != null) {
            headers.set("api-key", key);
        }
    }

}
