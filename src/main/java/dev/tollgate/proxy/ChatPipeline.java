package dev.tollgate.proxy;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import dev.tollgate.common.ApiException;
import dev.tollgate.credits.CreditService;
import dev.tollgate.metering.PricingService;
import dev.tollgate.metering.PromptEstimator;
import dev.tollgate.provider.ChatCall;
import dev.tollgate.provider.ChatCompletion;
import dev.tollgate.provider.ChatProvider;
import dev.tollgate.provider.ChatStreamEvent;
import dev.tollgate.provider.ProviderRegistry;
import dev.tollgate.routing.CatalogModel;
import dev.tollgate.routing.ModelCatalog;

/**
 * The format-neutral middle of every chat call, whatever API the client speaks (OpenAI's Chat Completions or
 * Anthropic's Messages): resolve the model, pick its provider, admit the call against the tenant's credits, call the
 * provider, and keep the tracker informed (provider, price, hold, first byte, usage, finish reason). Answers are OpenAI-shaped and branded with the generation id and public model.
 * Ending the call ({@link GenerationTracker#finish}) is left to the caller, who knows what reached the client.
 */
final class ChatPipeline {

    private final ModelCatalog catalog;
    private final ProviderRegistry providers;
    private final PricingService pricing;
    private final CreditService credits;
    private final int defaultMaxTokens;
    private final ResponseShaper shaper;

    ChatPipeline(ModelCatalog catalog, ProviderRegistry providers, PricingService pricing, CreditService credits,
            int defaultMaxTokens, ResponseShaper shaper) {
        this.catalog = catalog;
        this.providers = providers;
        this.pricing = pricing;
        this.credits = credits;
        this.defaultMaxTokens = defaultMaxTokens;
        this.shaper = shaper;
    }

    /** A whole answer: an OpenAI {@code chat.completion} with its usage. */
    Mono<ChatCompletion> complete(ChatRequest chat, GenerationTracker tracker) {
        tracker.requested(chat.model(), false);
        return route(chat, tracker).flatMap(routed -> routed.provider().complete(routed.call())).map(completion -> {
            tracker.upstreamAnswered();
            tracker.usage(completion.usage());
            tracker.observeChoices(completion.body().path("choices"));
            tracker.observeDelivery(completion.body().path("choices"));
            shaper.brand(completion.body(), tracker);
            return completion;
        });
    }

    /**
     * A streamed answer, decoded as it arrives: OpenAI chunks (branded) and usage reports. Cancelling it closes the
     * provider connection.
     */
    Flux<ChatStreamEvent> stream(ChatRequest chat, GenerationTracker tracker) {
        tracker.requested(chat.model(), true);
        return route(chat, tracker).flatMapMany(routed -> routed.provider().stream(routed.call())).doOnNext(event -> {
            tracker.upstreamAnswered();
            if (event instanceof ChatStreamEvent.Chunk chunk) {
                shaper.brand(chunk.chunk(), tracker);
                tracker.observeChoices(chunk.chunk().path("choices"));
            }
            else if (event instanceof ChatStreamEvent.Usage usage) {
                tracker.usage(usage.usage());
            }
        });
    }

    private Mono<Routed> route(ChatRequest chat, GenerationTracker tracker) {
        return catalog.require(chat.model()).flatMap(model -> {
            ChatProvider provider = providers.find(model.provider())
                .orElseThrow(() -> notConfigured(model));
            tracker.routedTo(model.id(), provider.name());
            return admit(chat, model, tracker)
                .thenReturn(new Routed(provider, new ChatCall(chat.body(), model.upstreamId(), chat.stream())));
        });
    }

    /**
     * Holds the most this call can cost: the prompt's estimated size at the input price plus {@code max_tokens}
     * (else the model's maximum output, else the configured default) at the output price, with markup.
     */
    private Mono<Void> admit(ChatRequest chat, CatalogModel model, GenerationTracker tracker) {
        return pricing.quote(tracker.key().tenantId(), model.id()).flatMap(quote -> {
            long promptTokens = PromptEstimator.estimateTokens(chat.body());
            long maxOutput = chat.maxTokens() != null ? chat.maxTokens()
                    : model.maxOutputTokens() != null ? model.maxOutputTokens() : defaultMaxTokens;
            return credits.hold(tracker.key(), quote.worstCaseChargeMicros(promptTokens, maxOutput))
                .doOnNext(hold -> tracker.admitted(quote, hold, chat.body()))
                .then();
        });
    }

    private static ApiException notConfigured(CatalogModel model) {
        return ApiException.noProvider("Model " + model.id() + " is served by provider '" + model.provider()
                + "', which is not configured (tollgate.providers." + model.provider() + ").");
    }

    private record Routed(ChatProvider provider, ChatCall call) {
    }

}
