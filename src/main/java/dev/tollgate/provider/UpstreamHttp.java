package dev.tollgate.provider;

import java.net.URI;
import java.time.Duration;
import java.util.concurrent.TimeoutException;

import io.micrometer.observation.ObservationRegistry;
import io.netty.channel.ChannelOption;
import org.jspecify.annotations.Nullable;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.client.reactive.ReactorClientHttpConnector;
import org.springframework.http.codec.ServerSentEvent;
import org.springframework.web.reactive.function.client.ClientResponse;
import org.springframework.web.reactive.function.client.WebClient;
import org.springframework.web.reactive.function.client.WebClientRequestException;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.resources.ConnectionProvider;

/**
 * The HTTP side every adapter shares: pooled connections per provider (on the calling request's event loop, see
 * {@link LoopAffineClients}), the upstream key pool (balanced by weight and calls in flight, 429s cooled down), the
 * first-byte and idle timeouts, SSE framing, and the mapping of transport failures to {@link UpstreamException}s.
 * Adapters bring the URL, their headers (given the key chosen for the call), the body and their provider's error
 * format.
 */
public final class UpstreamHttp {

    private static final ParameterizedTypeReference<ServerSentEvent<String>> SSE =
            new ParameterizedTypeReference<>() {
            };

    private static final int MAX_RESPONSE_BYTES = 64 * 1024 * 1024;

    private static final Duration DEFAULT_COOLDOWN = Duration.ofSeconds(1);

    private final String provider;
    private final URI baseUrl;
    private final UpstreamKeys keys;
    private final ProviderProperties.Timeouts timeouts;
    private final LoopAffineClients clients;

    public UpstreamHttp(String provider, ProviderProperties properties, URI defaultBaseUrl) {
        this(provider, properties, defaultBaseUrl, ObservationRegistry.NOOP);
    }

    /**
     * @param observations where the upstream calls are observed: their client metrics and, when tracing is on, their
     *     spans and the W3C {@code traceparent} header that carries the client's trace on to the provider
     */
    public UpstreamHttp(String provider, ProviderProperties properties, URI defaultBaseUrl,
            ObservationRegistry observations) {
        this.provider = provider;
        this.baseUrl = properties.baseUrl() != null ? properties.baseUrl() : defaultBaseUrl;
        this.keys = new UpstreamKeys(properties.apiKeys(), properties.keyWeights());
        this.timeouts = properties.timeouts();
        this.clients = new LoopAffineClients("tollgate-" + provider,
            name -> ConnectionProvider.builder(name)
                .maxConnections(properties.maxConnections())
                .pendingAcquireMaxCount(-1)
                // Providers drop idle keep-alive connections; retire ours before they do.
                .maxIdleTime(Duration.ofSeconds(30))
                .evictInBackground(Duration.ofSeconds(30))
                .build(),
            http -> WebClient.builder()
                .clientConnector(new ReactorClientHttpConnector(
                        http.option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) timeouts.connect().toMillis())))
                .observationRegistry(observations)
                .codecs(codecs -> codecs.defaultCodecs().maxInMemorySize(MAX_RESPONSE_BYTES))
                .defaultHeaders(headers -> properties.headers().forEach(headers::set))
                .build());
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
        return Mono.deferContextual(context -> {
            UpstreamAttempt attempt = context.getOrDefault(UpstreamAttempt.class, null);
            UpstreamKeys.Lease lease;
            try {
                lease = acquire(keys, attempt);
            }
            catch (UpstreamException ex) {
                return Mono.error(ex);
            }
            return clients.current().post()
                .uri(uri)
                .headers(h -> prepare(h, headers, lease, attempt))
                .contentType(MediaType.APPLICATION_JSON)
                .bodyValue(body)
                .exchangeToMono(response -> {
                    noteStatus(attempt, response);
                    return response.statusCode().is2xxSuccessful()
                            ? response.bodyToMono(byte[].class).defaultIfEmpty(new byte[0])
                            : errorOf(response, errors, lease);
                })
                .timeout(timeouts.firstByte())
                .onErrorMap(error -> toUpstreamException(error, "did not answer in time"))
                .doFinally(signal -> release(lease));
        });
    }

    /**
     * POSTs a JSON body and decodes the answer as server-sent events, one at a time as they arrive. The first event
     * must come within the first-byte timeout, each next one within the idle timeout. Cancelling closes the
     * connection.
     */
    public Flux<ServerSentEvent<String>> postForEvents(URI uri, KeyPolicy keys, KeyedHeaders headers, byte[] body,
            UpstreamErrorDecoder errors) {
        return Flux.deferContextual(context -> {
            UpstreamAttempt attempt = context.getOrDefault(UpstreamAttempt.class, null);
            UpstreamKeys.Lease lease;
            try {
                lease = acquire(keys, attempt);
            }
            catch (UpstreamException ex) {
                return Flux.error(ex);
            }
            Flux<ServerSentEvent<String>> events = clients.current().post()
                .uri(uri)
                .headers(h -> prepare(h, headers, lease, attempt))
                .contentType(MediaType.APPLICATION_JSON)
                .accept(MediaType.TEXT_EVENT_STREAM)
                .bodyValue(body)
                .exchangeToFlux(response -> {
                    noteStatus(attempt, response);
                    return response.statusCode().is2xxSuccessful() ? response.bodyToFlux(SSE)
                            : this.<ServerSentEvent<String>>errorOf(response, errors, lease).flux();
                });
            return events.timeout(Mono.delay(timeouts.firstByte()), event -> Mono.delay(timeouts.idle()))
                .onErrorMap(error -> toUpstreamException(error, "stopped sending"))
                .doFinally(signal -> release(lease));
        });
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

    private static void prepare(HttpHeaders headers, KeyedHeaders adapter, UpstreamKeys.@Nullable Lease lease,
            @Nullable UpstreamAttempt attempt) {
        if (attempt != null && attempt.traceparent() != null) {
            headers.set("traceparent", attempt.traceparent());
        }
        adapter.apply(headers, lease == null ? null : lease.key());
    }

    private static void release(UpstreamKeys.@Nullable Lease lease) {
        if (lease != null) {
            lease.release();
        }
    }

    private static void noteStatus(@Nullable UpstreamAttempt attempt, ClientResponse response) {
        if (attempt != null) {
            attempt.answered(response.statusCode().value());
        }
    }

    private <T> Mono<T> errorOf(ClientResponse response, UpstreamErrorDecoder errors,
            UpstreamKeys.@Nullable Lease lease) {
        int status = response.statusCode().value();
        HttpHeaders headers = response.headers().asHttpHeaders();
        return response.bodyToMono(byte[].class)
            .defaultIfEmpty(new byte[0])
            .flatMap(body -> {
                UpstreamException error = errors.decode(status, headers, body);
                if (status == 429 && lease != null) {
                    // This key is spent for now; the other keys carry on, starting with the retry of this call.
                    lease.coolDown(error.retryAfter() != null ? error.retryAfter() : DEFAULT_COOLDOWN);
                    if (keys.anyAvailable()) {
                        return Mono.error(error.withRetryAfter(Duration.ZERO));
                    }
                }
                return Mono.error(error);
            });
    }

    private Throwable toUpstreamException(Throwable error, String timeoutWhat) {
        if (error instanceof UpstreamException) {
            return error;
        }
        if (error instanceof TimeoutException) {
            return UpstreamException.timedOut(provider, timeoutWhat);
        }
        if (error instanceof WebClientRequestException) {
            return UpstreamException.connectionFailed(provider, error.getCause() != null ? error.getCause() : error);
        }
        return new UpstreamException(HttpStatus.BAD_GATEWAY, "upstream_connection_lost",
                "The connection to provider " + provider + " broke: " + error.getClass().getSimpleName(), 0, true, null,
                error);
    }

    /** Reads {@code retry-after-ms} (OpenAI) or {@code retry-after} in seconds; null when absent or unreadable. */
    public static @Nullable Duration retryAfter(HttpHeaders headers) {
        String millis = headers.getFirst("retry-after-ms");
        if (millis != null) {
            try {
                return Duration.ofMillis((long) Double.parseDouble(millis.trim()));
            }
            catch (NumberFormatException ignored) {
                // fall through to retry-after
            }
        }
        String seconds = headers.getFirst(HttpHeaders.RETRY_AFTER);
        if (seconds != null) {
            try {
                return Duration.ofSeconds(Long.parseLong(seconds.trim()));
            }
            catch (NumberFormatException ignored) {
                return null;
            }
        }
        return null;
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
