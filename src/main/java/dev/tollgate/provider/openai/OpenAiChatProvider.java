package dev.tollgate.provider.openai;

import java.net.URI;

import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpHeaders;
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

/** OpenAI's Chat Completions API, and every server that speaks it (Mistral, Groq, vLLM, Ollama…). */
final class OpenAiChatProvider implements ChatProvider, EmbeddingProvider {

    private final UpstreamHttp http;
    private final KeyPolicy keys;
    private final URI chatCompletions;
    private final URI embeddings;
    private final OpenAiRequestMapper requests;
    private final OpenAiResponseMapper responses;
    private final OpenAiStreamDecoder streams;
    private final OpenAiErrorMapper errors;
    private final OpenAiEmbeddingMapper embeddingMapper;

    OpenAiChatProvider(UpstreamHttp http, boolean keyRequired, boolean streamOptions, boolean maxCompletionTokens,
            JsonMapper json) {
        this.http = http;
        this.keys = keyRequired ? KeyPolicy.REQUIRED : KeyPolicy.OPTIONAL;
        this.chatCompletions = URI.create(http.baseUrl().toString().replaceAll("/+$", "") + "/chat/completions");
        this.embeddings = URI.create(http.baseUrl().toString().replaceAll("/+$", "") + "/embeddings");
        this.requests = new OpenAiRequestMapper(json, streamOptions, maxCompletionTokens, keyRequired);
        this.responses = new OpenAiResponseMapper(json, http.provider());
        this.streams = new OpenAiStreamDecoder(json, http.provider());
        this.errors = new OpenAiErrorMapper(json, http.provider());
        this.embeddingMapper = new OpenAiEmbeddingMapper(json, http.provider());
    }

    @Override
    public String name() {
        return http.provider();
    }

    @Override
    public Mono<ChatCompletion> complete(ChatCall call) {
        return Mono.defer(() -> http.postJson(call.attempt(), chatCompletions, keys, OpenAiChatProvider::bearer,
                requests.toBody(call), errors))
            .map(responses::toCompletion);
    }

    @Override
    public Flux<ChatStreamEvent> stream(ChatCall call) {
        return Flux.defer(() -> {
            OpenAiStreamDecoder.Ending ending = OpenAiStreamDecoder.Ending.of(call.request());
            return streams.ended(http.postForEvents(call.attempt(), chatCompletions, keys, OpenAiChatProvider::bearer,
                    requests.toBody(call), errors, event -> streams.decode(event.data(), ending)), ending);
        });
    }

    @Override
    public Mono<Embeddings> embed(EmbeddingCall call) {
        return Mono.defer(() -> http.postJson(embeddings, keys, OpenAiChatProvider::bearer, embeddingMapper.toBody(call),
                errors))
            .map(embeddingMapper::toEmbeddings);
    }

    @Override
    public void close() {
        http.close();
    }

    private static void bearer(HttpHeaders headers, @Nullable String key) {
        if (key != null) {
            headers.setBearerAuth(key);
        }
    }

}
