package dev.tollgate.proxy;

import java.time.Clock;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import tools.jackson.databind.JsonNode;

import dev.tollgate.account.AuthenticatedKey;
import dev.tollgate.common.ApiException;
import dev.tollgate.metering.MeteringService;
import dev.tollgate.metering.RequestLogEntry;
import dev.tollgate.metering.UsageSource;
import dev.tollgate.provider.TokenUsage;

/**
 * The state of one proxied call: timings, the provider's last usage report, the finish reason. It hands metering
 * exactly one entry, on whichever comes first of completion, error or cancellation.
 */
final class GenerationTracker {

    private final UUID id;
    private final AuthenticatedKey key;
    private final MeteringService metering;
    private final Clock clock;
    private final long startNanos = System.nanoTime();
    private final AtomicBoolean finished = new AtomicBoolean();

    private volatile String model;
    private volatile boolean streamed;
    private volatile @Nullable String provider;
    private volatile long firstByteNanos;
    private volatile @Nullable TokenUsage usage;
    private volatile @Nullable String finishReason;
    private volatile @Nullable String streamErrorCode;
    private volatile boolean deliveredToClient;

    GenerationTracker(UUID id, AuthenticatedKey key, String model, boolean streamed, MeteringService metering,
            Clock clock) {
        this.id = id;
        this.key = key;
        this.model = model;
        this.streamed = streamed;
        this.metering = metering;
        this.clock = clock;
    }

    UUID id() {
        return id;
    }

    String publicId() {
        return GenerationIds.format(id);
    }

    String model() {
        return model;
    }

    void requested(String model, boolean streamed) {
        this.model = model;
        this.streamed = streamed;
    }

    void routedTo(String model, String provider) {
        this.model = model;
        this.provider = provider;
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

    /** Notes what a chunk or a whole answer says about how it finished. */
    void observeChoices(JsonNode choices) {
        for (JsonNode choice : choices) {
            JsonNode reason = choice.path("finish_reason");
            if (reason.isString()) {
                finishReason = reason.stringValue();
            }
        }
    }

    void deliveredToClient() {
        deliveredToClient = true;
    }

    boolean hasDeliveredToClient() {
        return deliveredToClient;
    }

    void streamBroke(String errorCode) {
        this.streamErrorCode = errorCode;
    }

    /**
     * Ends the call when the stream the client reads ends: completed (200), failed before any byte (the error's
     * status), or cancelled by the client (200 when something was delivered, else 499).
     */
    <T> Flux<T> endWith(Flux<T> clientStream) {
        return clientStream.doOnComplete(() -> finish(200, null, false))
            .doOnError(error -> {
                ApiException api = ProxyErrors.toApiException(error);
                finish(api.status().value(), api.code(), false);
            })
            .doOnCancel(() -> finish(deliveredToClient ? 200 : ProxyErrors.CLIENT_CLOSED, "client_closed", true));
    }

    /** Ends a call whose answer did not reach the client (see {@link #endWith} for streams). */
    void fail(Throwable error) {
        ApiException api = ProxyErrors.toApiException(error);
        finish(api.status().value(), api.code(), false);
    }

    /** Ends the call; only the first call has an effect. */
    void finish(int status, @Nullable String errorCode, boolean cancelled) {
        if (!finished.compareAndSet(false, true)) {
            return;
        }
        long now = System.nanoTime();
        TokenUsage reported = usage;
        metering.record(new RequestLogEntry(id, key.tenantId(), key.keyId(), model, provider, status,
                errorCode != null ? errorCode : streamErrorCode, streamed, cancelled, finishReason,
                reported != null ? reported : TokenUsage.NONE, reported != null ? UsageSource.UPSTREAM : UsageSource.NONE,
                millis(now - startNanos), firstByteNanos == 0 ? null : millis(firstByteNanos - startNanos),
                clock.instant()));
    }

    private static int millis(long nanos) {
        return (int) TimeUnit.NANOSECONDS.toMillis(nanos);
    }

}
