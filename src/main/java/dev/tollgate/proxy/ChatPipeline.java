package dev.tollgate.proxy;

import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

import dev.tollgate.cache.CacheDirective;
import dev.tollgate.cache.CachedAnswer;
import dev.tollgate.cache.ResponseCache;
import dev.tollgate.guardrails.AnswerGuard;
import dev.tollgate.guardrails.PromptGuard;
import dev.tollgate.provider.ChatCompletion;
import dev.tollgate.provider.ChatStreamEvent;
import dev.tollgate.ratelimit.RateLimitService;
import dev.tollgate.routing.Candidate;
import dev.tollgate.routing.CatalogModel;
import dev.tollgate.routing.RoutePlanner;

/**
 * The format-neutral middle of every chat call, whatever API the client speaks (OpenAI's Chat Completions or
 * Anthropic's Messages): plan the routes (the model's providers, then fallback models), and try them in turn through
 * {@link RouteAttempts} (retries, circuit breakers, fallbacks, credit admission per model), keeping the tracker
 * informed (provider, price, hold, first byte, usage, finish reason). Answers are OpenAI-shaped and branded with the
 * generation id and public model. Ending the call ({@link GenerationTracker#completed} and friends) is left to the
 * caller, who knows what reached the client.
 */
final class ChatPipeline {

    private static final Logger log = LoggerFactory.getLogger(ChatPipeline.class);

    private final RoutePlanner planner;
    private final RouteAttempts.Dependencies dependencies;
    private final RateLimitService rateLimits;
    private final PromptGuard guard;
    private final AnswerGuard answers;
    private final ResponseCache cache;
    private final JsonMapper json;

    ChatPipeline(RoutePlanner planner, RouteAttempts.Dependencies dependencies, RateLimitService rateLimits,
            PromptGuard guard, AnswerGuard answers, ResponseCache cache, JsonMapper json) {
        this.json = json;
        this.planner = planner;
        this.dependencies = dependencies;
        this.rateLimits = rateLimits;
        this.guard = guard;
        this.answers = answers;
        this.cache = cache;
    }

    /** A whole answer: an OpenAI {@code chat.completion} with its usage. */
    Mono<ChatCompletion> complete(ChatRequest chat, GenerationTracker tracker) {
        return complete(chat, tracker, CacheDirective.NONE);
    }

    /** A whole answer, from the response cache when the call asked for it and an answer is kept. */
    Mono<ChatCompletion> complete(ChatRequest chat, GenerationTracker tracker, CacheDirective caching) {
        tracker.requested(chat.model(), false);
        return plan(chat, tracker).flatMap(plan -> answer(plan, chat, tracker, caching))
            .map(completion -> {
                // Screened as it leaves, not as it is kept: a cached answer meets the guardrails in force when served.
                answers.screen(tracker.key().tenantId(), completion);
                tracker.upstreamAnswered();
                tracker.usage(completion.usage());
                tracker.observeFinish(completion.finishReason());
                tracker.observeDelivery(completion);
                completion.brand(tracker.brand());
                return completion;
            });
    }

    /**
     * The provider's answer; or, for a call that asked for the cache, the answer kept under its key (no provider, no
     * hold, no charge), or the provider's, kept for the next call. The guardrails have run: the key is made from the
     * prompt the provider would get.
     */
    private Mono<ChatCompletion> answer(List<Candidate> plan, ChatRequest chat, GenerationTracker tracker,
            CacheDirective caching) {
        if (!caching.active()) {
            return new RouteAttempts(plan, chat, tracker, dependencies).complete();
        }
        String key = cacheKey(chat, tracker);
        Mono<ChatCompletion> kept = !caching.lookUp() ? Mono.empty() : cache.lookUp(key).map(answer -> {
            tracker.servedFromCache(answer.model(), answer.provider(), chat.body());
            return new ChatCompletion(cache.tree(answer), answer.usage()).stoppedBy(answer.stopSequence());
        });
        return kept.switchIfEmpty(Mono.defer(() -> {
            tracker.cacheMissed();
            return new RouteAttempts(plan, chat, tracker, dependencies).complete()
                .doOnNext(completion -> keep(key, completion, chat, tracker, caching));
        }));
    }

    /**
     * A streamed answer, decoded as it arrives: OpenAI chunks (branded) and usage reports. Retries and fallbacks end
     * with the first event; cancelling closes the provider connection.
     */
    Flux<ChatStreamEvent> stream(ChatRequest chat, GenerationTracker tracker) {
        return stream(chat, tracker, CacheDirective.NONE);
    }

    /** A streamed answer, replayed from the response cache when the call asked for it and an answer is kept. */
    Flux<ChatStreamEvent> stream(ChatRequest chat, GenerationTracker tracker, CacheDirective caching) {
        tracker.requested(chat.model(), true);
        // Screened as it leaves (a replayed answer meets the guardrails in force when served), and decided once the
        // plan has read the tenant's guardrails.
        return plan(chat, tracker)
            .flatMapMany(plan -> answers.screen(tracker.key().tenantId(), streamed(plan, chat, tracker, caching),
                    chat.choices(), tracker::providerLetGo))
            .doOnNext(event -> {
                tracker.upstreamAnswered();
                if (event instanceof ChatStreamEvent.Chunk chunk) {
                    chunk.brand(tracker.brand());
                    tracker.observeFinish(chunk.finishReason());
                }
                else if (event instanceof ChatStreamEvent.Usage usage) {
                    tracker.usage(usage.usage());
                }
            });
    }

    /**
     * The provider's stream; or, for a call that asked for the cache, the kept answer replayed as one
     * ({@link StreamedAnswer#replay}), or the provider's stream, its answer put back together as it passes and kept
     * once the stream has ended whole. Streamed and whole calls share their entries.
     */
    private Flux<ChatStreamEvent> streamed(List<Candidate> plan, ChatRequest chat, GenerationTracker tracker,
            CacheDirective caching) {
        if (!caching.active()) {
            return new RouteAttempts(plan, chat, tracker, dependencies).stream();
        }
        String key = cacheKey(chat, tracker);
        // An answer kept by a whole call with more in it than a stream carries here (log probabilities, reasoning) is
        // not replayed: the stream is a miss, and its own answer, with less in it, does not take that one's place.
        AtomicBoolean keptRicher = new AtomicBoolean();
        AtomicReference<ObjectNode> keptTree = new AtomicReference<>();
        Mono<CachedAnswer> kept = !caching.lookUp() ? Mono.empty() : cache.lookUp(key, answer -> {
            ObjectNode tree = cache.tree(answer);
            boolean replayable = StreamedAnswer.replayable(tree);
            keptRicher.set(!replayable);
            keptTree.set(tree);
            return replayable;
        });
        return kept.flatMapMany(answer -> {
            tracker.servedFromCache(answer.model(), answer.provider(), chat.body());
            return StreamedAnswer.replay(keptTree.get(), answer.usage(), answer.stopSequence(), json);
        }).switchIfEmpty(Flux.defer(() -> {
            tracker.cacheMissed();
            StreamedAnswer assembled = new StreamedAnswer(chat.choices(), cache.maxEntrySize());
            return new RouteAttempts(plan, chat, tracker, dependencies).stream()
                .doOnNext(assembled::add)
                .doOnComplete(() -> {
                    try {
                        ChatCompletion whole = assembled.completion(json);
                        if (whole != null && !keptRicher.get()) {
                            keep(key, whole, chat, tracker, caching);
                        }
                    }
                    catch (RuntimeException ex) {
                        // The client has its answer; only the cache goes without it.
                        log.warn("Could not keep a streamed answer in the response cache", ex);
                    }
                });
        }));
    }

    private String cacheKey(ChatRequest chat, GenerationTracker tracker) {
        return cache.key(tracker.key().tenantId(), chat.model(), chat.fallbackModels(), chat.providers(), chat.body());
    }

    /** Keeps an answer of the model asked for: a fallback's, kept, would go on answering for it once it is back. */
    private void keep(String key, ChatCompletion completion, ChatRequest chat, GenerationTracker tracker,
            CacheDirective caching) {
        String provider = tracker.provider();
        if (provider != null && chat.model().equals(tracker.model())) {
            cache.store(key, new CachedAnswer(cache.json(completion.body()), completion.usage(),
                    completion.stopSequence(), tracker.model(), provider), caching);
        }
    }

    /**
     * The routes to try, once the call has passed the key's and tenant's rate limits (counted once per call, whatever
     * the retries and fallbacks: the prompt's estimate plus {@code max_tokens}, if any) and its tenant's guardrails
     * (which may refuse the prompt, or redact it before any route sees it).
     */
    private Mono<List<Candidate>> plan(ChatRequest chat, GenerationTracker tracker) {
        return planner.plan(chat.model(), chat.fallbackModels(), chat.providers(), CatalogModel.Kind.CHAT)
            .flatMap(plan -> rateLimits.admit(tracker.key(), chat.prompt().tokens()
                    + (chat.maxTokens() != null ? (long) chat.choices() * chat.maxTokens() : 0))
                .flatMap(permit -> {
                    tracker.rateLimited(permit);
                    return guard.screenChat(tracker.key().tenantId(), chat.body());
                })
                .map(redactions -> {
                    tracker.redacted(redactions);
                    return plan;
                }));
    }

}
