package dev.tollgate.proxy;

import java.math.BigDecimal;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import tools.jackson.databind.JsonNode;

import dev.tollgate.account.AuthenticatedKey;
import dev.tollgate.common.ApiException;
import dev.tollgate.common.Money;
import dev.tollgate.credits.Hold;
import dev.tollgate.metering.GenerationIds;
import dev.tollgate.metering.AttemptRecord;
import dev.tollgate.metering.MeteringService;
import dev.tollgate.metering.PriceQuote;
import dev.tollgate.metering.TokenCounter;
import dev.tollgate.metering.UsageRecord;
import dev.tollgate.metering.UsageSource;
import dev.tollgate.provider.Brand;
import dev.tollgate.provider.ChatCompletion;
import dev.tollgate.provider.ChatStreamEvent;
import dev.tollgate.provider.TokenUsage;
import dev.tollgate.proxy.UsageCount.Billed;
import dev.tollgate.routing.Route;
import dev.tollgate.ratelimit.RateLimitPermit;

/**
 * The state of one proxied call: timings, the price and credit hold it was admitted with, the provider's last usage
 * report, what reached the client. It settles the hold and hands metering exactly one record, on whichever comes
 * first of completion, error or cancellation.
 * <p>
 * Billing rules: a call that fails before any byte reaches the client is free; a call that delivered anything is
 * billed for the provider's usage, or, for a stream cut short before the provider's final count, for the larger of
 * what the provider last reported and what Tollgate counts in the text it delivered.
 */
final class GenerationTracker {

    /** The {@code x-tollgate-cache} header's values. */
    static final String CACHE_HIT = "hit";

    static final String CACHE_MISS = "miss";

    private static final Logger log = LoggerFactory.getLogger(GenerationTracker.class);

    private final UUID id;
    private final String publicId;
    private final AuthenticatedKey key;
    private final MeteringService metering;
    private final UsageCount counted;
    private final Clock clock;
    private final long startNanos = System.nanoTime();
    private final AtomicBoolean finished = new AtomicBoolean();

    private volatile String model;
    private volatile boolean streamed;
    private volatile @Nullable String provider;
    private volatile long firstByteNanos;
    private volatile long upstreamCalledNanos;
    private volatile @Nullable TokenUsage usage;
    private volatile @Nullable String finishReason;
    private volatile @Nullable ApiException streamError;
    private volatile boolean deliveredToClient;
    /** Tollgate stopped reading the provider's stream before its end (the guardrails ended every answer). */
    private volatile boolean providerLetGo;
    private volatile @Nullable PriceQuote quote;
    private volatile @Nullable String admittedModel;
    private volatile @Nullable Hold hold;
    private volatile @Nullable String traceId;
    private volatile @Nullable String traceparent;
    private final List<AttemptRecord> attempts = new CopyOnWriteArrayList<>();
    private volatile @Nullable RateLimitPermit rateLimit;
    private volatile int piiRedactions;
    /** What the response cache did for the call ({@link #CACHE_HIT} or {@link #CACHE_MISS}): null when not asked. */
    private volatile @Nullable String cacheResult;
    private @Nullable Brand brand;

    GenerationTracker(UUID id, AuthenticatedKey key, MeteringService metering, TokenCounter tokens, Clock clock) {
        this.id = id;
        this.publicId = GenerationIds.format(id);
        this.key = key;
        this.model = "";
        this.metering = metering;
        this.counted = new UsageCount(tokens);
        this.clock = clock;
    }

    void trace(@Nullable String traceId, @Nullable String traceparent) {
        this.traceId = traceId;
        this.traceparent = traceparent;
    }

    /** The W3C trace context to pass on to the provider (see {@link TraceIds.Trace#upstreamTraceparent}). */
    @Nullable String traceparent() {
        return traceparent;
    }

    String publicId() {
        return publicId;
    }

    AuthenticatedKey key() {
        return key;
    }

    String model() {
        return model;
    }

    /** The provider the call was routed to last; null before routing. */
    @Nullable String provider() {
        return provider;
    }

    /** The id and model answers are branded with, made once (again only if a fallback changed the model). */
    Brand brand() {
        Brand current = brand;
        if (current == null || !current.model().equals(model)) {
            current = Brand.of(publicId, model);
            brand = current;
        }
        return current;
    }

    void requested(String model, boolean streamed) {
        this.model = model;
        this.streamed = streamed;
    }

    void routedTo(String model, String provider) {
        this.model = model;
        this.provider = provider;
    }

    /** The call may go ahead: this is its price and the money set aside for it. */
    void admitted(PriceQuote quote, Hold hold, JsonNode prompt) {
        admitted(model, quote, hold, prompt);
    }

    /**
     * The call may go ahead on this model: this is its price and the money set aside for it. A hold for another model
     * (a fallback is priced on its own) is released first.
     */
    void admitted(String modelId, PriceQuote quote, Hold hold, JsonNode prompt) {
        Hold previous = this.hold;
        if (previous != null && previous != hold) {
            previous.release();
        }
        this.admittedModel = modelId;
        this.quote = quote;
        this.hold = hold;
        counted.prompt(prompt);
        if (finished.get()) {
            // The client left while admission was in flight: nothing will settle this hold otherwise.
            hold.release();
        }
    }

    /**
     * Before another model is admitted: the hold of the model whose routes all failed (before any byte reached the
     * client, so free) is given back first. Released only once the next one was held, it made a tenant near the end of
     * its balance, whose every model fitted alone, fail the fallback with a 402.
     */
    void releaseHoldUnless(String modelId) {
        Hold previous = hold;
        if (previous != null && !modelId.equals(admittedModel)) {
            hold = null;
            admittedModel = null;
            previous.release();
        }
    }

    /** Whether the call is already admitted (priced and held for) on this model. */
    boolean admittedFor(String modelId) {
        return modelId.equals(admittedModel) && hold != null;
    }

    /** The route that will serve: the operator's cost follows its host price when it has one. */
    void pricedOn(Route route) {
        PriceQuote current = quote;
        if (current != null) {
            quote = current.onHost(route.inputPerMtok(), route.outputPerMtok());
        }
    }

    /** Logs one provider attempt of this call (retries and fallbacks each have one). */
    void attempt(int number, String model, String provider, int keyIndex, int status, @Nullable String errorCode,
            long nanos) {
        attempts.add(new AttemptRecord(number, model, provider, keyIndex < 0 ? null : keyIndex, status, errorCode,
                millis(nanos)));
    }

    /** A provider attempt is about to be sent (the first one marks the end of Tollgate's own work before it). */
    void upstreamCalled() {
        if (upstreamCalledNanos == 0) {
            upstreamCalledNanos = System.nanoTime();
        }
    }

    /**
     * What Tollgate has added to this call so far: its time before the provider was called, plus the time since the
     * provider's answer arrived (for a whole answer, its handling up to now).
     */
    long overheadNanos() {
        long now = System.nanoTime();
        long before = (upstreamCalledNanos == 0 ? now : upstreamCalledNanos) - startNanos;
        long after = firstByteNanos == 0 || streamed ? 0 : now - firstByteNanos;
        return before + after;
    }

    /** The call passed its rate limits; their headers go on the answer, and its usage corrects them at the end. */
    void rateLimited(RateLimitPermit permit) {
        this.rateLimit = permit;
        if (finished.get()) {
            permit.settle(0);
        }
    }

    /**
     * The answer comes from the response cache: no provider, no hold, no charge; the usage it shows is logged. The
     * prompt is noted as admission notes it, so that an answer whose provider reported no usage is counted as a fresh
     * call would be; the lookup's end stands for the provider's call in the overhead (all of it is Tollgate's).
     */
    void servedFromCache(String model, String provider, JsonNode prompt) {
        routedTo(model, provider);
        counted.prompt(prompt);
        upstreamCalled();
        cacheResult = CACHE_HIT;
    }

    /** The call asked for the response cache and found nothing kept: a provider answers, as usual. */
    void cacheMissed() {
        cacheResult = CACHE_MISS;
    }

    @Nullable String cacheResult() {
        return cacheResult;
    }

    /** The tenant's guardrails replaced this many pieces of personal data in the prompt. */
    void redacted(int redactions) {
        this.piiRedactions = redactions;
    }

    /** OpenAI's {@code x-ratelimit-*} headers for the answer, once the call has passed its rate limits. */
    Map<String, String> rateLimitHeaders() {
        RateLimitPermit permit = rateLimit;
        return permit == null ? Map.of() : permit.headers();
    }

    void upstreamAnswered() {
        if (firstByteNanos == 0) {
            firstByteNanos = System.nanoTime();
        }
    }

    void usage(TokenUsage usage) {
        this.usage = usage;
    }

    @Nullable TokenUsage usage() {
        return usage;
    }

    /**
     * The usage this call is billed for if it completes now: the provider's count, or, where the provider reported
     * none, the count of what it delivered and of the prompt. What the client is shown as {@code usage} (and its
     * {@code usage.cost}): showing the provider's missing usage as zeros and billing a count disagreed with the bill.
     */
    Mono<TokenUsage> billableUsage() {
        TokenUsage reported = usage;
        boolean completed = !providerLetGo;
        if (UsageCount.byProvider(reported, completed)) {
            return Mono.just(reported);
        }
        return counted.billed(reported, completed).map(Billed::usage);
    }

    /** What the tenant pays for this usage, in USD, for {@code usage.cost}; null before admission. */
    @Nullable BigDecimal costUsd(TokenUsage usage) {
        if (CACHE_HIT.equals(cacheResult)) {
            return BigDecimal.ZERO;
        }
        PriceQuote price = quote;
        return price == null ? null : Money.microsToUsd(price.chargeMicros(usage));
    }

    /** Notes a chunk's or a whole answer's finish reason, if it has one. */
    void observeFinish(@Nullable String reason) {
        if (reason != null) {
            finishReason = reason;
        }
    }

    /** Notes the text of a whole answer that is about to reach the client. */
    void observeDelivery(ChatCompletion completion) {
        counted.observeDelivery(completion);
    }

    /** Notes the text of a chunk that is about to reach the client. */
    void observeDelivery(ChatStreamEvent.Chunk chunk) {
        counted.observeDelivery(chunk);
    }

    void deliveredToClient() {
        deliveredToClient = true;
    }

    boolean hasDeliveredToClient() {
        return deliveredToClient;
    }

    /**
     * Tollgate let go of the provider's stream before its end: its usage report, which comes last, never came, so
     * the call is billed as a stream cut short is, for at least what the client received.
     */
    void providerLetGo() {
        this.providerLetGo = true;
    }

    /** The stream broke after its first byte; the client got a final error event. */
    void streamBroke(ApiException error) {
        this.streamError = error;
    }

    /**
     * Ends the call when the stream the client reads ends: completed (200, or the error that broke it after the first
     * byte), failed before any byte (the error's status), or cancelled by the client (200 when something was
     * delivered, else 499).
     */
    <T> Flux<T> endWith(Flux<T> clientStream) {
        return clientStream.doOnComplete(this::completed).doOnError(this::fail).doOnCancel(this::cancelled);
    }

    /**
     * Ends, now, a stream whose client stopped reading: an error event would wait for a read that does not come, and
     * the call with it (its hold, its rate-limit permit, its log row) until the client closed the connection. The
     * error returned closes the connection.
     */
    <T> Flux<T> endStalled(ApiException stall) {
        completed();
        return Flux.error(stall);
    }

    /** Ends a call whose answer reached the client whole (or, for a stream, ended with an error event). */
    void completed() {
        ApiException broken = streamError;
        finish(200, broken == null ? null : broken.code(), broken == null ? null : broken.getMessage(), false);
    }

    /** Ends a call whose client went away. */
    void cancelled() {
        finish(deliveredToClient ? 200 : ProxyErrors.CLIENT_CLOSED, "client_closed",
                "The client closed the connection.", true);
    }

    /** Ends a call whose answer did not reach the client (see {@link #endWith} for streams). */
    void fail(Throwable error) {
        ApiException api = ProxyErrors.toApiException(error);
        finish(api.status().value(), api.code(), api.getMessage(), false);
    }

    private void finish(int status, @Nullable String errorCode, @Nullable String errorMessage, boolean cancelled) {
        if (!finished.compareAndSet(false, true)) {
            return;
        }
        long endNanos = System.nanoTime();
        Instant endedAt = clock.instant();
        boolean completed = status == 200 && !cancelled && streamError == null && !providerLetGo;
        boolean billable = streamed ? deliveredToClient : status == 200;
        TokenUsage reported = usage;
        if (billable && !UsageCount.byProvider(reported, completed)) {
            // The tokenizer's turn (rare: a stream cut short, a provider reporting no usage). A prompt of hundreds of
            // KB takes it tens of ms, which an event loop must not spend.
            metering.recordWhenPrepared(counted.billed(reported, completed)
                .onErrorResume(error -> {
                    // Never left unrecorded, its hold never left reserved: billed for what the provider reported, if
                    // anything, and logged for an operator's adjustment.
                    log.error("Counting the tokens of call {} failed; billed for the provider's last report only",
                            publicId, error);
                    return Mono.just(Billed.reported(reported));
                })
                .map(billed -> settle(status, errorCode, errorMessage, cancelled, billed, endNanos, endedAt)));
        }
        else {
            Billed billed = billable ? Billed.reported(reported) : Billed.NOTHING;
            metering.record(settle(status, errorCode, errorMessage, cancelled, billed, endNanos, endedAt));
        }
    }

    /** Settles the hold and the rate limits for the usage billed, and makes the call's record. */
    private UsageRecord settle(int status, @Nullable String errorCode, @Nullable String errorMessage,
            boolean cancelled, Billed found, long endNanos, Instant endedAt) {
        // A kept answer's usage is logged for what it saved; nothing was held for it and nothing is charged.
        Billed billed = CACHE_HIT.equals(cacheResult) && found.source() != UsageSource.NONE
                ? new Billed(found.usage(), UsageSource.CACHE) : found;
        PriceQuote price = quote;
        boolean charged = price != null && billed.source() != UsageSource.NONE;
        long charge = charged ? price.chargeMicros(billed.usage()) : 0;
        long cost = charged ? price.providerCostMicros(billed.usage()) : 0;
        Hold admitted = hold;
        if (admitted != null) {
            admitted.settle(charge);
        }
        RateLimitPermit permit = rateLimit;
        if (permit != null) {
            permit.settle(billed.usage().totalTokens());
        }
        return new UsageRecord(id, key.tenantId(), key.keyId(), model, provider, status, errorCode, errorMessage,
                streamed, cancelled, finishReason, billed.usage(), billed.source(), millis(endNanos - startNanos),
                firstByteNanos == 0 ? null : millis(firstByteNanos - startNanos),
                firstByteNanos == 0 ? null : millis(endNanos - firstByteNanos),
                price == null ? null : price.price().id(), price == null ? null : price.markupPpm(), cost, charge,
                admitted == null ? null : admitted.leaseId(),
                endedAt, traceId, List.copyOf(attempts), piiRedactions,
                admitted == null ? () -> { } : () -> admitted.persisted(charge));
    }

    private static int millis(long nanos) {
        return (int) TimeUnit.NANOSECONDS.toMillis(nanos);
    }

}
