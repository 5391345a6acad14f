package dev.tollgate.provider;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeoutException;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelOption;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.support.Netty4HeadersAdapter;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.ByteBufFlux;
import reactor.netty.http.client.HttpClient;
import reactor.netty.http.client.HttpClientResponse;
import reactor.netty.resources.ConnectionProvider;
import reactor.netty.resources.LoopResources;
import reactor.util.retry.Retry;

import dev.tollgate.common.BodyBytes;

/**
 * The HTTP side every adapter shares: pooled connections per provider (on the calling request's event loop, see
 * {@link LoopAffineClients}), the upstream key pool (balanced by weight and calls in flight, 429s cooled down), the
 * first-byte and idle timeouts, SSE framing, and the mapping of transport failures to {@link UpstreamException}s.
 * Adapters bring the URL, their headers (given the key chosen for the call), the body and their provider's error
 * format.
 *
 * <p>Calls go out on Reactor Netty's HTTP client directly rather than through Spring's WebClient: the bodies are bytes
 * either way, and WebClient's codecs and exchange wrappers cost CPU on every call, its client observation alone about
 * 5% of Tollgate's CPU per call in the benchmark's profile (README "Benchmarks"). What the observation gave is kept
 * elsewhere: upstream timings as {@code tollgate_upstream_*} metrics, and the trace carried on in the
 * {@code traceparent} the caller hands over in its {@link UpstreamAttempt}.
 *
 * <p>That attempt is a parameter, not an entry of the subscriber context: putting it there cost a context-writing
 * operator (a new context, and every operator below it asking for it) and a context read on every call.
 */
public final class UpstreamHttp {

    private static final Logger log = LoggerFactory.getLogger(UpstreamHttp.class);

    private static final int MAX_RESPONSE_BYTES = 64 * 1024 * 1024;

    /** How long a rate-limited key rests when its provider names no longer wait (or none at all). */
    private static final Duration DEFAULT_COOLDOWN = Duration.ofSeconds(1);

    /**
     * How many more tries than {@code attempts-per-route} one call may have for moving to another key, so that keys
     * failing in turn cannot keep a call going.
     */
    public static final int MAX_KEY_SWITCHES = 4;

    /**
     * How long a key the provider refused as credentials rests: long enough that a revoked key stops taking calls
     * (failing at once, it always has the fewest in flight, so it drew most of them), short enough that a key fixed
     * at the provider comes back without a restart.
     */
    static final Duration REFUSED_KEY_COOLDOWN = Duration.ofMinutes(5);

    private final String provider;
    private final URI baseUrl;
    private final UpstreamKeys keys;
    private final ProviderProperties.Timeouts timeouts;
    private final LoopAffineClients clients;
    private final int maxResponseBytes;

    public UpstreamHttp(String provider, ProviderProperties properties, URI defaultBaseUrl) {
        this(provider, properties, defaultBaseUrl, MAX_RESPONSE_BYTES);
    }

    /** @param maxResponseBytes the largest response body or stream event read; a larger one fails the call */
    UpstreamHttp(String provider, ProviderProperties properties, URI defaultBaseUrl, int maxResponseBytes) {
        this.provider = provider;
        this.maxResponseBytes = maxResponseBytes;
        this.baseUrl = properties.baseUrl() != null ? properties.baseUrl() : defaultBaseUrl;
        this.keys = new UpstreamKeys(properties.apiKeys(), properties.keyWeights());
        this.timeouts = properties.timeouts();
        this.clients = new LoopAffineClients("tollgate-" + provider, properties.maxConnections(),
            LoopResources.DEFAULT_IO_WORKER_COUNT,
            (name, connections) -> ConnectionProvider.builder(name)
                .maxConnections(connections)
                .pendingAcquireMaxCount(-1)
                // Providers drop idle keep-alive connections; retire ours before they do.
                .maxIdleTime(Duration.ofSeconds(30))
                .evictInBackground(Duration.ofSeconds(30))
                .build(),
            http -> http.option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) timeouts.connect().toMillis())
                .headers(headers -> properties.headers().forEach(headers::set)));
    }

    public String provider() {
        return provider;
    }

    public URI baseUrl() {
        return baseUrl;
    }

    /** Closes the provider's connections. */
    public void close() {
        clients.dispose();
    }

    /**
     * POSTs a JSON body and returns the whole answer's bytes; errors are decoded with the provider's decoder.
     * @param keys whether a key is needed (without one, the call fails with 503 before any traffic)
     * @param headers sets the request's headers, given the upstream key chosen for this call (null when none)
     */
    public Mono<byte[]> postJson(URI uri, KeyPolicy keys, KeyedHeaders headers, byte[] body,
            UpstreamErrorDecoder errors) {
        // No routing around this call (embeddings, token counts): a key's own failure with another key free is tried
        // again here, this one request only (a batch already answered is not sent again).
        return postJson(null, uri, keys, headers, body, errors)
            .retryWhen(Retry.max(MAX_KEY_SWITCHES)
                .filter(error -> error instanceof UpstreamException upstream && upstream.anotherKeyFree())
                .onRetryExhaustedThrow((spec, signal) -> signal.failure()));
    }

    /**
     * As {@link #postJson(URI, KeyPolicy, KeyedHeaders, byte[], UpstreamErrorDecoder)}, for a routed attempt: the key
     * used and the provider's status are noted in {@code attempt}, and its {@code traceparent} is sent on.
     */
    public Mono<byte[]> postJson(@Nullable UpstreamAttempt attempt, URI uri, KeyPolicy keys, KeyedHeaders headers,
            byte[] body, UpstreamErrorDecoder errors) {
        return Mono.defer(() -> {
            Call call;
            try {
                call = new Call(keys, attempt);
            }
            catch (UpstreamException ex) {
                return Mono.error(ex);
            }
            return send(call, uri, headers, body, null)
                .response((response, content) -> call.answered(response)
                        ? BodyBytes.read(content, maxResponseBytes)
                        : call.<byte[]>error(response, content, errors))
                .next()
                // With a fallback of its own: timeout(Duration) names the whole operator chain for its error message
                // on every call, walking the chain (about 1.5% of the CPU at 500 requests/s).
                .timeout(Mono.delay(timeouts.firstByte(), call.loop.timers()), Mono.error(TimeoutException::new))
                .onErrorMap(error -> call.toUpstreamException(error, "did not answer in time"))
                .doFinally(signal -> call.release());
        });
    }

    /**
     * POSTs a JSON body and decodes the answer as server-sent events, one at a time as they arrive, each read by
     * {@code reader} into what the adapter makes of it (nothing for an event it skips). The first event must come
     * within the first-byte timeout, each next one within the idle timeout. Cancelling closes the connection.
     */
    public <T> Flux<T> postForEvents(URI uri, KeyPolicy keys, KeyedHeaders headers, byte[] body,
            UpstreamErrorDecoder errors, EventReader<T> reader) {
        return postForEvents(null, uri, keys, headers, body, errors, reader);
    }

    /**
     * As {@link #postForEvents(URI, KeyPolicy, KeyedHeaders, byte[], UpstreamErrorDecoder, EventReader)}, for a routed
     * attempt: the key used and the provider's status are noted in {@code attempt}, and its {@code traceparent} is
     * sent on.
     */
    public <T> Flux<T> postForEvents(@Nullable UpstreamAttempt attempt, URI uri, KeyPolicy keys, KeyedHeaders headers,
            byte[] body, UpstreamErrorDecoder errors, EventReader<T> reader) {
        return Flux.defer(() -> {
            Call call;
            try {
                call = new Call(keys, attempt);
            }
            catch (UpstreamException ex) {
                return Flux.error(ex);
            }
            SilenceWatch watch = new SilenceWatch(timeouts.firstByte(), timeouts.idle(), call.loop.timers());
            Flux<T> events = send(call, uri, headers, body, HttpHeaderValues.TEXT_EVENT_STREAM)
                .response((response, content) -> call.answered(response) ? events(content, watch, reader)
                        : call.<List<T>>error(response, content, errors))
                .concatMapIterable(read -> read);
            return watch.watch(events)
                .onErrorMap(error -> call.toUpstreamException(error, "stopped sending"))
                .doFinally(signal -> call.release());
        });
    }

    /** Reads one server-sent event of a provider's stream. */
    @FunctionalInterface
    public interface EventReader<T> {

        /** What the event holds for the adapter, in order; empty for an event it skips. */
        List<T> read(SseEvent event);

    }

    private HttpClient.ResponseReceiver<?> send(Call call, URI uri, KeyedHeaders adapter, byte[] body,
            @Nullable CharSequence accept) {
        return call.loop.post(uri).send((request, outbound) -> {
            request.header(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON)
                .header(HttpHeaderNames.CONTENT_LENGTH, Integer.toString(body.length));
            if (accept != null) {
                request.header(HttpHeaderNames.ACCEPT, accept);
            }
            call.prepare(new HttpHeaders(new Netty4HeadersAdapter(request.requestHeaders())), adapter);
            return outbound.send(Mono.just(Unpooled.wrappedBuffer(body)));
        });
    }

    /**
     * Each piece of the body is decoded while Reactor Netty still holds it (it releases a piece once handed on), so
     * the decoding happens in {@code map}, synchronously, and only what the events hold travels further: one list
     * per piece, flattened once, where the events and then their contents had been flattened one after the other.
     */
    private <T> Flux<List<T>> events(ByteBufFlux content, SilenceWatch watch, EventReader<T> reader) {
        SseDecoder decoder = new SseDecoder(maxResponseBytes);
        return content.map(piece -> read(decoder.decode(piece), watch, reader))
            .concatWith(Mono.fromSupplier(() -> read(decoder.finish(), watch, reader)));
    }

    private static <T> List<T> read(List<SseEvent> events, SilenceWatch watch, EventReader<T> reader) {
        if (events.isEmpty()) {
            return List.of();
        }
        List<T> read;
        if (events.size() == 1) {
            read = reader.read(events.get(0));
        }
        else {
            read = new ArrayList<>(events.size());
            for (SseEvent event : events) {
                read.addAll(reader.read(event));
            }
        }
        watch.heard(!read.isEmpty());
        return read;
    }

    /** One call's key lease and what is known of it so far; errors are mapped by whether the provider answered. */
    private final class Call {

        private final UpstreamKeys.@Nullable Lease lease;
        private final @Nullable UpstreamAttempt attempt;
        private final LoopAffineClients.Loop loop = clients.current();
        private volatile boolean answered;

        Call(KeyPolicy policy, @Nullable UpstreamAttempt attempt) {
            this.attempt = attempt;
            this.lease = acquire(policy, attempt);
        }

        void prepare(HttpHeaders headers, KeyedHeaders adapter) {
            if (attempt != null && attempt.traceparent() != null) {
                headers.set("traceparent", attempt.traceparent());
            }
            adapter.apply(headers, lease == null ? null : lease.key());
        }

        /** Notes the provider's status; true when it is a success. */
        boolean answered(HttpClientResponse response) {
            answered = true;
            int status = response.status().code();
            if (attempt != null) {
                attempt.answered(status);
            }
            return status >= 200 && status < 300;
        }

        <T> Mono<T> error(HttpClientResponse response, ByteBufFlux content, UpstreamErrorDecoder errors) {
            int status = response.status().code();
            HttpHeaders headers = new HttpHeaders(new Netty4HeadersAdapter(response.responseHeaders()));
            return BodyBytes.read(content, maxResponseBytes).flatMap(body -> {
                UpstreamException error = errors.decode(status, headers, body);
                Duration rest = lease == null ? null : keyRest(lease, status, error);
                if (rest != null) {
                    // The failure is this key's: it rests, the other keys carry on, starting with this call's retry.
                    lease.coolDown(rest);
                    if (keys.anyAvailableBesides(lease)) {
                        return Mono.error(error.retryWithAnotherKey());
                    }
                }
                return Mono.error(error);
            });
        }

        /**
         * How long the key this call used rests after the failure, or null when the failure is not the key's: its
         * {@code Retry-After} for a 429 (spent for now), {@link #REFUSED_KEY_COOLDOWN} for credentials the provider
         * refused (revoked, say) or an account out of quota (logged, as an operator must act).
         */
        private @Nullable Duration keyRest(UpstreamKeys.Lease used, int status, UpstreamException error) {
            if ("upstream_auth_failed".equals(error.code()) || "upstream_quota_exhausted".equals(error.code())) {
                log.warn("Provider {} refused upstream key {} (HTTP {}, {}); it rests for {}", provider, used.index(),
                        status, error.code(), REFUSED_KEY_COOLDOWN);
                return REFUSED_KEY_COOLDOWN;
            }
            if (status == 429) {
                // At least a second: a "Retry-After: 0" left the key free to be picked again at once.
                Duration wait = error.retryAfter();
                return wait != null && wait.compareTo(DEFAULT_COOLDOWN) > 0 ? wait : DEFAULT_COOLDOWN;
            }
            return null;
        }

        Throwable toUpstreamException(Throwable error, String timeoutWhat) {
            if (error instanceof UpstreamException || error instanceof SilenceWatch.ClientStalled) {
                return error;
            }
            if (error instanceof TimeoutException) {
                return UpstreamException.timedOut(provider, timeoutWhat);
            }
            if (error instanceof BodyBytes.TooLarge || error instanceof SseDecoder.EventTooLarge) {
                return UpstreamException.malformed(provider, error.getMessage());
            }
            if (!answered) {
                return UpstreamException.connectionFailed(provider, error);
            }
            return new UpstreamException(HttpStatus.BAD_GATEWAY, "upstream_connection_lost",
                    "The connection to provider " + provider + " broke: " + error.getClass().getSimpleName(), 0, true,
                    null, error);
        }

        void release() {
            if (lease != null) {
                lease.release();
            }
        }

    }

    private UpstreamKeys.@Nullable Lease acquire(KeyPolicy policy, @Nullable UpstreamAttempt attempt) {
        if (keys.isEmpty()) {
            if (policy == KeyPolicy.REQUIRED) {
                throw new UpstreamException(HttpStatus.SERVICE_UNAVAILABLE, "provider_not_configured",
                        "Provider " + provider + " has no API key configured (tollgate.providers." + provider
                                + ".api-keys)", 0, false, null, null);
            }
            return null;
        }
        UpstreamKeys.Lease lease = keys.acquire();
        if (attempt != null) {
            attempt.usedKey(lease.index());
        }
        return lease;
    }

    /** Whether a provider type needs an upstream key to be called at all. */
    public enum KeyPolicy {

        REQUIRED, OPTIONAL

    }

    /** Sets a request's headers given the key chosen for it (null when the provider has none). */
    @FunctionalInterface
    public interface KeyedHeaders {

        void apply(HttpHeaders headers, @Nullable String apiKey);

    }

}
