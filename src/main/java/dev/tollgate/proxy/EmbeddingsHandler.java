package dev.tollgate.proxy;

import java.math.BigDecimal;

import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.publisher.Mono;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

import dev.tollgate.account.ApiKeyService;
import dev.tollgate.account.AuthenticatedKey;
import dev.tollgate.common.ApiException;
import dev.tollgate.credits.CreditService;
import dev.tollgate.guardrails.PromptGuard;
import dev.tollgate.metering.PricingService;
import dev.tollgate.provider.ChatProvider;
import dev.tollgate.provider.EmbeddingProvider;
import dev.tollgate.provider.ProviderRegistry;
import dev.tollgate.ratelimit.RateLimitService;
import dev.tollgate.routing.CatalogModel;
import dev.tollgate.routing.ModelCatalog;

/**
 * {@code POST /v1/embeddings}: authenticate the key, validate the request, resolve an embedding model (a chat model
 * is refused with a 400), admit the call against the tenant's credits (the input's estimated size at the input
 * price), have the model's provider embed the input if it can ({@link EmbeddingProvider}), and answer in OpenAI's
 * format with the provider's input-token count, recording the call exactly once.
 */
final class EmbeddingsHandler {

    private final ApiKeyService keys;
    private final EmbeddingsRequestReader reader;
    private final ModelCatalog catalog;
    private final ProviderRegistry providers;
    private final PricingService pricing;
    private final CreditService credits;
    private final RateLimitService rateLimits;
    private final PromptGuard guard;
    private final GenerationTrackers trackers;
    private final JsonMapper json;

    EmbeddingsHandler(ApiKeyService keys, EmbeddingsRequestReader reader, ModelCatalog catalog,
            ProviderRegistry providers, PricingService pricing, CreditService credits, RateLimitService rateLimits,
            PromptGuard guard, GenerationTrackers trackers, JsonMapper json) {
        this.keys = keys;
        this.rateLimits = rateLimits;
        this.guard = guard;
        this.reader = reader;
        this.catalog = catalog;
        this.providers = providers;
        this.pricing = pricing;
        this.credits = credits;
        this.trackers = trackers;
        this.json = json;
    }

    Mono<ServerResponse> handle(ServerRequest request) {
        return keys.authenticate(ApiKeyHeaders.presentedKey(request))
            .doOnError(refused -> GenerationTrackers.refusedCallId(request.exchange().getResponse()))
            .flatMap(key -> handle(request, key));
    }

    private Mono<ServerResponse> handle(ServerRequest request, AuthenticatedKey key) {
        GenerationTracker tracker = trackers.start(key, request.exchange());
        ServerHttpResponse response = request.exchange().getResponse();
        response.getHeaders().set(ChatCompletionsHandler.GENERATION_HEADER, tracker.publicId());
        response.beforeCommit(() -> Mono.fromRunnable(() -> tracker.rateLimitHeaders()
            .forEach(response.getHeaders()::set)));
        return reader.readEmbeddings(request)
            .flatMap(embeddings -> embed(embeddings, tracker))
            .flatMap(answer -> {
                byte[] bytes = json.writeValueAsBytes(answer);
                tracker.completed();
                return JsonAnswer.ok(ServerResponse.ok(), bytes);
            })
            .doOnError(tracker::fail)
            .doOnCancel(tracker::cancelled);
    }

    private Mono<ObjectNode> embed(EmbeddingsRequest embeddings, GenerationTracker tracker) {
        tracker.requested(embeddings.model(), false);
        return catalog.require(embeddings.model(), CatalogModel.Kind.EMBEDDING)
            .flatMap(model -> {
                ChatProvider provider = providers.find(model.provider()).orElseThrow(() -> ApiException.noProvider(
                        "Model " + model.id() + " is served by provider '" + model.provider()
                                + "', which is not configured (tollgate.providers." + model.provider() + ")."));
                tracker.routedTo(model.id(), provider.name());
                if (!(provider instanceof EmbeddingProvider embedder)) {
                    return Mono.error(ApiException.noProvider("Provider '" + provider.name()
                            + "' cannot embed text, so model " + model.id() + " cannot be served."));
                }
                return admit(embeddings, model, tracker).then(Mono.defer(() -> embedder.embed(
                        new EmbeddingProvider.EmbeddingCall(embeddings.body(), model.upstreamId()))));
            })
            .flatMap(answer -> {
                tracker.upstreamAnswered();
                tracker.usage(answer.usage());
                // What the call is billed for: the provider's count, or, where it reported none, the input's.
                return tracker.billableUsage().map(billed -> {
                    ObjectNode body = answer.body();
                    body.put("object", "list");
                    body.put("model", tracker.model());
                    ObjectNode usage = body.putObject("usage")
                        .put("prompt_tokens", billed.promptTokens())
                        .put("total_tokens", billed.totalTokens());
                    BigDecimal cost = embeddings.includeCost() ? tracker.costUsd(billed) : null;
                    if (cost != null) {
                        usage.put("cost", cost);
                    }
                    return body;
                });
            });
    }

    /**
     * Passes the key's and tenant's rate limits (the input's estimated tokens) and its tenant's guardrails (which may
     * refuse the input, or redact it), then holds the most this call can cost: embeddings have no output, so the
     * input's estimated size suffices.
     */
    private Mono<Void> admit(EmbeddingsRequest embeddings, CatalogModel model, GenerationTracker tracker) {
        return rateLimits.admit(tracker.key(), embeddings.estimatedTokens())
            .doOnNext(tracker::rateLimited)
            .then(Mono.defer(() -> guard.screenEmbeddings(tracker.key().tenantId(), embeddings.body())))
            .doOnNext(tracker::redacted)
            .then(pricing.quote(tracker.key().tenantId(), model.id()))
            .flatMap(quote -> credits.hold(tracker.key(), quote.worstCaseChargeMicros(embeddings.estimatedTokens(), 0))
                .doOnNext(hold -> tracker.admitted(quote, hold, promptAsMessages(embeddings.body().path("input")))))
            .then();
    }

    /**
     * The input texts in the chat shape the tracker counts a prompt from, so that a provider that reports no usage
     * is billed for the text it embedded rather than for nothing.
     */
    private ObjectNode promptAsMessages(JsonNode input) {
        ObjectNode prompt = json.createObjectNode();
        ArrayNode content = prompt.putArray("messages").addObject().put("role", "user").putArray("content");
        if (input.isString()) {
            content.addObject().put("type", "text").put("text", input.stringValue());
        }
        for (JsonNode text : input) {
            if (text.isString()) {
                content.addObject().put("type", "text").put("text", text.stringValue());
            }
        }
        return prompt;
    }

}
