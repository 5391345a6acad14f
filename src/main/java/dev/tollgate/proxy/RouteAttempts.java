package dev.tollgate.proxy;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BiFunction;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import org.jspecify.annotations.Nullable;
import org.reactivestreams.Publisher;
import org.springframework.http.HttpStatus;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

import dev.tollgate.credits.CreditService;
import dev.tollgate.credits.Hold;
import dev.tollgate.metering.PricingService;
import dev.tollgate.metering.PromptEstimator;
import dev.tollgate.provider.ChatCall;
import dev.tollgate.provider.ChatCompletion;
import dev.tollgate.provider.ChatProvider;
import dev.tollgate.provider.ChatStreamEvent;
import dev.tollgate.provider.ProviderRegistry;
import dev.tollgate.provider.UpstreamAttempt;
import dev.tollgate.provider.UpstreamException;
import dev.tollgate.routing.Candidate;
import dev.tollgate.routing.ProviderHealth;
import dev.tollgate.routing.RetryPolicy;

/**
 * The attempts of one request over its planned routes, until one answers: each attempt is admitted against credits
 * (once per model: a fallback to another model is held at its own price), asks the route's circuit breaker, calls the
 * provider, and is logged. A failure before the first byte is retried on the same route (backoff, or the provider's
 * short {@code Retry-After}) or passed to the next route, as {@link RetryPolicy} decides; a stream that has started is
 * never retried. When every route has failed, the client gets the provider's 429 if one was seen (so it can wait and
 * come back), else the last error.
 */
final class RouteAttempts {

    private final List<Candidate> plan;
    private final ChatRequest chat;
    private final GenerationTracker tracker;
    private final Dependencies deps;
    private volatile @Nullable Throwable rateLimited;
    private volatile int attemptNumber;

    RouteAttempts(List<Candidate> plan, ChatRequest chat, GenerationTracker tracker, Dependencies deps) {
        this.plan = plan;
        this.chat = chat;
        this.tracker = tracker;
        this.deps = deps;
    }

    Mono<ChatCompletion> complete() {
        return complete(0, 1);
    }

    Flux<ChatStreamEvent> stream() {
        return stream(0, 1);
    }

    private Mono<ChatCompletion> complete(int index, int attemptOnRoute) {
        Candidate candidate = plan.get(index);
        return start(candidate).flatMap(attempt -> attempt.provider().complete(attempt.call())
            .doOnNext(completion -> {
                attempt.succeeded();
                // A whole answer arrives at once: its output took the whole call.
                attempt.generated(completion.usage().completionTokens(), attempt.startNanos);
            })
            .doOnError(attempt::failed)
            .doOnCancel(attempt::abandoned))
            .onErrorResume(error -> Mono.from(RouteAttempts.this.<ChatCompletion>next(error, index, attemptOnRoute,
                    (nextIndex, nextAttempt) -> complete(nextIndex, nextAttempt))));
    }

    private Flux<ChatStreamEvent> stream(int index, int attemptOnRoute) {
        Candidate candidate = plan.get(index);
        AtomicBoolean started = new AtomicBoolean();
        long[] firstEventNanos = new long[1];
        long[] outputTokens = new long[1];
        return start(candidate).flatMapMany(attempt -> attempt.provider().stream(attempt.call())
            .doOnNext(event -> {
                if (started.compareAndSet(false, true)) {
                    firstEventNanos[0] = System.nanoTime();
                    attempt.succeeded();
                }
                if (event instanceof ChatStreamEvent.Usage usage) {
                    outputTokens[0] = usage.usage().completionTokens();
                }
            })
            .doOnError(error -> {
                if (!started.get()) {
                    attempt.failed(error);
                }
            })
            .doOnComplete(() -> {
                if (!started.get()) {
                    attempt.succeeded();
                }
                else {
                    // Output speed as OpenRouter measures it: from the first token to the last.
                    attempt.generated(outputTokens[0], firstEventNanos[0]);
                }
            })
            .doOnCancel(attempt::abandoned))
            .onErrorResume(error -> started.get() ? Flux.error(error)
                    : next(error, index, attemptOnRoute, (nextIndex, nextAttempt) -> stream(nextIndex, nextAttempt)));
    }

    /** Retries the route, moves to the next one, or gives up, as the retry policy decides. */
    private <T> Flux<T> next(Throwable error, int index, int attemptOnRoute,
            BiFunction<Integer, Integer, ? extends Publisher<T>> attempt) {
        // A rate limit the client may wait out; not a key's spent quota (a 502 the provider also sent as a 429),
        // which coming later would have hidden an earlier route's Retry-After.
        if (error instanceof UpstreamException upstream && upstream.upstreamStatus() == 429
                && upstream.status() == HttpStatus.TOO_MANY_REQUESTS) {
            rateLimited = error;
        }
        RetryPolicy.Decision decision = deps.retries().decide(error, attemptOnRoute);
        return switch (decision.kind()) {
            case RETRY -> Mono.delay(decision.delay()).thenMany(Flux.defer(() -> attempt.apply(index,
                    attemptOnRoute + 1)));
            case NEXT_ROUTE -> index + 1 < plan.size() ? Flux.defer(() -> attempt.apply(index + 1, 1))
                    : Flux.error(exhausted(error));
            case NEXT_MODEL -> {
                int nextModel = firstRouteOfNextModel(index);
                yield nextModel < plan.size() ? Flux.defer(() -> attempt.apply(nextModel, 1)) : Flux.error(error);
            }
            case GIVE_UP -> Flux.error(error);
        };
    }

    /** Where the plan's next model starts (the plan lists each model's routes together), or the plan's size. */
    private int firstRouteOfNextModel(int index) {
        String model = plan.get(index).model().id();
        int next = index + 1;
        while (next < plan.size() && plan.get(next).model().id().equals(model)) {
            next++;
        }
        return next;
    }

    private Throwable exhausted(Throwable last) {
        Throwable limited = rateLimited;
        return limited != null ? limited : last;
    }

    /** Admits the candidate's model (if it is not the one already held for), then asks its circuit breaker. */
    private Mono<Attempt> start(Candidate candidate) {
        if (tracker.admittedFor(candidate.model().id())) {
            tracker.pricedOn(candidate.route());
            return Mono.fromCallable(() -> attempt(candidate));
        }
        tracker.releaseHoldUnless(candidate.model().id());
        return admit(candidate).map(admitted -> attempt(candidate));
    }

    private Attempt attempt(Candidate candidate) {
        ChatProvider provider = deps.providers().find(candidate.route().provider())
            .orElseThrow(() -> new UpstreamException(HttpStatus.SERVICE_UNAVAILABLE, "provider_not_configured",
                    "Provider " + candidate.route().provider() + " is not configured", 0, false, null, null));
        CircuitBreaker breaker = deps.health().breaker(provider.name());
        if (!breaker.tryAcquirePermission()) {
            throw new UpstreamException(HttpStatus.SERVICE_UNAVAILABLE, "provider_unavailable",
                    "Provider " + provider.name() + " is failing and temporarily skipped (circuit open)", 0, false,
                    null, null);
        }
        tracker.routedTo(candidate.model().id(), provider.name());
        tracker.upstreamCalled();
        UpstreamAttempt upstream = new UpstreamAttempt(tracker.traceparent());
        return new Attempt(candidate, provider, breaker, upstream,
                new ChatCall(chat.body(), candidate.route().upstreamId(), chat.stream(), upstream, outputCap(candidate)),
                ++attemptNumber);
    }

    /**
     * The output cap the provider gets when the request has none: the default the credit hold assumed, where the
     * catalog knows no maximum for the model either (else the provider's own maximum is the catalog's, and the
     * hold's).
     */
    private @Nullable Integer outputCap(Candidate candidate) {
        return chat.maxTokens() == null && candidate.model().maxOutputTokens() == null ? deps.defaultMaxTokens()
                : null;
    }

    /**
     * Holds the most this call can cost on this model: the prompt's estimated size at the input price (at a cache
     * write's when the prompt asks for a cache; its audio at the audio price) plus {@code max_tokens} (else the
     * model's maximum output, else the configured default) at the output price (or a dearer reasoning or audio output
     * price), with markup (see {@code PriceQuote.worstCaseChargeMicros}).
     */
    private Mono<Hold> admit(Candidate candidate) {
        return deps.pricing().quote(tracker.key().tenantId(), candidate.model().id()).flatMap(quote -> {
            Integer modelMaximum = candidate.model().maxOutputTokens();
            // Each of the n answers may be as long as the cap.
            long maxOutput = (long) chat.choices() * (chat.maxTokens() != null ? chat.maxTokens()
                    : modelMaximum != null ? modelMaximum : deps.defaultMaxTokens());
            PromptEstimator.Estimate prompt = chat.prompt();
            return deps.credits().hold(tracker.key(), quote.worstCaseChargeMicros(prompt, maxOutput,
                    asksForSpeech(chat.body())))
                .map(hold -> {
                    tracker.admitted(candidate.model().id(), quote, hold, chat.body());
                    tracker.pricedOn(candidate.route());
                    return hold;
                });
        });
    }

    /** OpenAI's {@code "modalities": ["text", "audio"]}: the answer may be speech, billed at the audio price. */
    private static boolean asksForSpeech(ObjectNode body) {
        JsonNode modalities = body.get("modalities");
        if (modalities != null && modalities.isArray()) {
            for (JsonNode modality : modalities) {
                if ("audio".equals(modality.asString(null))) {
                    return true;
                }
            }
        }
        return false;
    }

    /** One provider call: reports its outcome to the circuit breaker, the health averages and the request log. */
    private final class Attempt {

        private final Candidate candidate;
        private final ChatProvider provider;
        private final CircuitBreaker breaker;
        private final UpstreamAttempt upstream;
        private final ChatCall call;
        private final int number;
        private final long startNanos = System.nanoTime();
        private final AtomicBoolean reported = new AtomicBoolean();

        Attempt(Candidate candidate, ChatProvider provider, CircuitBreaker breaker, UpstreamAttempt upstream,
                ChatCall call, int number) {
            this.candidate = candidate;
            this.provider = provider;
            this.breaker = breaker;
            this.upstream = upstream;
            this.call = call;
            this.number = number;
        }

        ChatProvider provider() {
            return provider;
        }

        ChatCall call() {
            return call;
        }

        void succeeded() {
            if (reported.compareAndSet(false, true)) {
                long nanos = System.nanoTime() - startNanos;
                breaker.onSuccess(nanos, TimeUnit.NANOSECONDS);
                deps.health().observed(provider.name(), Duration.ofNanos(nanos));
                tracker.attempt(number, candidate.model().id(), provider.name(), upstream.keyIndex(),
                        upstream.status() == 0 ? 200 : upstream.status(), null, nanos);
            }
        }

        /**
         * Records the provider's output speed for {@code sort: "throughput"}: tokens over the time since
         * {@code sinceNanos}. Nothing when the provider reported no output tokens.
         */
        void generated(long tokens, long sinceNanos) {
            if (tokens > 0) {
                deps.health().generated(provider.name(), tokens, Duration.ofNanos(System.nanoTime() - sinceNanos));
            }
        }

        void failed(Throwable error) {
            if (reported.compareAndSet(false, true)) {
                long nanos = System.nanoTime() - startNanos;
                if (RetryPolicy.isProviderFault(error)) {
                    breaker.onError(nanos, TimeUnit.NANOSECONDS, error);
                }
                else {
                    // The provider is fine (the request was bad, or a key is rate limited): no verdict on its health.
                    breaker.releasePermission();
                }
                tracker.attempt(number, candidate.model().id(), provider.name(), upstream.keyIndex(), upstream.status(),
                        ProxyErrors.toApiException(error).code(), nanos);
            }
        }

        void abandoned() {
            if (reported.compareAndSet(false, true)) {
                breaker.releasePermission();
                tracker.attempt(number, candidate.model().id(), provider.name(), upstream.keyIndex(), upstream.status(),
                        "client_closed", System.nanoTime() - startNanos);
            }
        }

    }

    /** What the attempts of every request share. */
    record Dependencies(ProviderRegistry providers, ProviderHealth health, RetryPolicy retries,
            PricingService pricing, CreditService credits, int defaultMaxTokens) {
    }

}
