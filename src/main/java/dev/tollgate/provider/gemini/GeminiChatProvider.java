package dev.tollgate.provider.gemini;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpHeaders;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import dev.tollgate.provider.ChatCall;
import dev.tollgate.provider.ChatCompletion;
import dev.tollgate.provider.ChatProvider;
import dev.tollgate.provider.ChatStreamEvent;
import dev.tollgate.provider.EmbeddingProvider;
import dev.tollgate.provider.SseEvent;
import dev.tollgate.provider.TokenUsage;
import dev.tollgate.provider.UpstreamHttp;
import dev.tollgate.provider.UpstreamHttp.KeyPolicy;

/**
 * Google's Gemini API: {@code POST {base}/models/{model}:generateContent}, {@code :streamGenerateContent?alt=sse} and
 * {@code :batchEmbedContents}, the key in {@code x-goog-api-key}.
 */
final class GeminiChatProvider implements ChatProvider, EmbeddingProvider {

    private static final Logger log = LoggerFactory.getLogger(GeminiChatProvider.class);

    private final UpstreamHttp http;
    private final JsonMapper json;
    private final String models;
    private final GeminiRequestMapper requests;
    private final GeminiResponseMapper responses;
    private final GeminiErrorMapper errors;
    private final GeminiEmbeddingMapper embeddings;

    GeminiChatProvider(UpstreamHttp http, JsonMapper json) {
        this.http = http;
        this.json = json;
        this.models = http.baseUrl().toString().replaceAll("/+$", "") + "/models/";
        this.requests = new GeminiRequestMapper(json);
        this.responses = new GeminiResponseMapper(json, http.provider());
        this.errors = new GeminiErrorMapper(json, http.provider());
        this.embeddings = new GeminiEmbeddingMapper(json, http.provider());
    }

    @Override
    public String name() {
        return http.provider();
    }

    @Override
    public Mono<ChatCompletion> complete(ChatCall call) {
        return Mono.defer(() -> http.postJson(call.attempt(), uri(call.upstreamModel(), ":generateContent"),
                KeyPolicy.REQUIRED, GeminiChatProvider::auth, requests.toBody(call), errors))
            .map(responses::toCompletion);
    }

    @Override
    public Flux<ChatStreamEvent> stream(ChatCall call) {
        return Flux.defer(() -> {
            GeminiStreamDecoder decoder = new GeminiStreamDecoder(json, http.provider(), responses, errors,
                    call.request().path("n").asInt(1));
            return decoder.decode(http.postForEvents(call.attempt(),
                    uri(call.upstreamModel(), ":streamGenerateContent?alt=sse"),
                    KeyPolicy.REQUIRED, GeminiChatProvider::auth, requests.toBody(call), errors, List::of)
                .mapNotNull(SseEvent::data));
        });
    }

    /**
     * Embeds in batches of {@value GeminiEmbeddingMapper#BATCH_SIZE}, one after another. Gemini's answer usually
     * carries no token count, so the texts are counted with {@code :countTokens} on the same model; should that
     * fail, the count is estimated at four characters a token rather than losing an answer already paid for.
     */
    @Override
    public Mono<Embeddings> embed(EmbeddingCall call) {
        return Mono.defer(() -> {
            List<String> texts = embeddings.texts(call.request());
            JsonNode dimensions = call.request().path("dimensions");
            boolean base64 = "base64".equals(call.request().path("encoding_format").asString(""));
            URI batchUri = uri(call.upstreamModel(), ":batchEmbedContents");
            return Flux.fromIterable(batches(texts))
                .concatMap(batch -> http.postJson(batchUri, KeyPolicy.REQUIRED, GeminiChatProvider::auth,
                        embeddings.batchBody(modelName(call.upstreamModel()), batch, dimensions), errors)
                    .map(bytes -> embeddings.readBatch(bytes, batch.size())))
                .collectList()
                .flatMap(batches -> promptTokens(call.upstreamModel(), texts, batches).map(tokens -> {
                    List<JsonNode> vectors = new ArrayList<>(texts.size());
                    batches.forEach(batch -> vectors.addAll(batch.vectors()));
                    return new Embeddings(embeddings.toOpenAi(vectors, base64), TokenUsage.of(tokens, 0));
                }));
        });
    }

    @Override
    public void close() {
        http.close();
    }

    private Mono<Long> promptTokens(String model, List<String> texts, List<GeminiEmbeddingMapper.Batch> batches) {
        if (batches.stream().allMatch(batch -> batch.promptTokens() >= 0)) {
            return Mono.just(batches.stream().mapToLong(GeminiEmbeddingMapper.Batch::promptTokens).sum());
        }
        return http.postJson(uri(model, ":countTokens"), KeyPolicy.REQUIRED, GeminiChatProvider::auth,
                embeddings.countTokensBody(texts), errors)
            .map(embeddings::readTokenCount)
            .onErrorResume(error -> {
                log.warn("Provider {} could not count the tokens of {} embedded texts ({}); estimating them",
                        http.provider(), texts.size(), error.getMessage());
                return Mono.just(texts.stream().mapToLong(text -> (text.length() + 3) / 4).sum());
            });
    }

    private static List<List<String>> batches(List<String> texts) {
        List<List<String>> batches = new ArrayList<>();
        for (int from = 0; from < texts.size(); from += GeminiEmbeddingMapper.BATCH_SIZE) {
            batches.add(texts.subList(from, Math.min(texts.size(), from + GeminiEmbeddingMapper.BATCH_SIZE)));
        }
        return batches;
    }

    private URI uri(String model, String method) {
        return URI.create(models + modelName(model) + method);
    }

    /** Catalog rows may name the model with or without Gemini's {@code models/} prefix. */
    private static String modelName(String model) {
        return model.startsWith("models/") ? model.substring("models/".length()) : model;
    }

    private static void auth(HttpHeaders headers, @Nullable String key) {
        if (key != null) {
            headers.set("x-goog-api-key", key);
        }
    }

}
