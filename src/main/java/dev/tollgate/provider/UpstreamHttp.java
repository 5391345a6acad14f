package dev.tollgate.provider;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

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
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionProvider;

/**
 * The HTTP side every adapter shares: a pooled connection per provider, upstream keys taken in turn, the
 * first-byte and idle timeouts, SSE framing, and the mapping of transport failures to {@link UpstreamException}s.
 * Adapters bring the URL, headers, body and their provider's error format.
 */
public final class UpstreamHttp {

    private static final ParameterizedTypeReference<ServerSentEvent<String>> SSE =
            new ParameterizedTypeReference<>() {
            };

    private static final int MAX_RESPONSE_BYTES = 64 * 1024 * 1024;

    private final String provider;
    private final URI baseUrl;
    private final List<String> apiKeys;
    private final ProviderProperties.Timeouts timeouts;
    private final ConnectionProvider pool;
    private final WebClient client;
    private final AtomicInteger nextKey = new AtomicInteger();

    public UpstreamHttp(String provider, ProviderProperties properties, URI defaultBaseUrl) {
        this.provider = provider;
        this.baseUrl = properties.baseUrl() != null ? properties.baseUrl() : defaultBaseUrl;
        this.apiKeys = List.copyOf(properties.apiKeys());
        this.timeouts = properties.timeouts();
        this.pool = ConnectionProvider.builder("tollgate-" + provider)
            .maxConnections(properties.maxConnections())
            .pendingAcquireMaxCount(-1)
            // Providers drop idle keep-alive connections; retire ours before they do.
            .maxIdleTime(Duration.ofSeconds(30))
            .evictInBackground(Duration.ofSeconds(30))
            .build();
        HttpClient http = HttpClient.create(pool)
            .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) timeouts.connect().toMillis());
        this.client = WebClient.builder()
            .clientConnector(new ReactorClientHttpConnector(http))
            .codecs(codecs -> codecs.defaultCodecs().maxInMemorySize(MAX_RESPONSE_BYTES))
            .defaultHeaders(headers -> properties.headers().forEach(headers::set))
            .build();
    }

    public String provider() {
        return provider;
    }

    /** Closes the provider's connections. */
    public void close() {
        pool.dispose();
    }

    public URI baseUrl() {
        return baseUrl;
    }

    /** The next upstream key in turn, or null when none is configured. */
    public @Nullable String nextApiKey() {
        if (apiKeys.isEmpty()) {
            return null;
        }
        return apiKeys.get(Math.floorMod(nextKey.getAndIncrement(), apiKeys.size()));
    }

    /** Fails fast, before any network traffic, for a provider type that cannot work without a key. */
    public String requireApiKey() {
        String key = nextApiKey();
        if (key == null) {
            throw new UpstreamException(HttpStatus.SERVICE_UNAVAILABLE,
                    "provider_not_configured", "Provider " + provider + " has no API key configured (tollgate.providers."
                            + provider + ".api-keys)", 0, false, null, null);
        }
        return key;
    }

    /** POSTs a JSON body and returns the whole answer's bytes; errors are decoded with the provider's decoder. */
    public Mono<byte[]> postJson(URI uri, Consumer<HttpHeaders> headers, byte[] body, UpstreamErrorDecoder errors) {
        return client.post()
            .uri(uri)
            .headers(headers)
            .contentType(MediaType.APPLICATION_JSON)
            .bodyValue(body)
            .exchangeToMono(response -> response.statusCode().is2xxSuccessful()
                    ? response.bodyToMono(byte[].class).defaultIfEmpty(new byte[0])
                    : errorOf(response, errors))
            .timeout(timeouts.firstByte())
            .onErrorMap(this::toUpstreamException);
    }

    /**
     * POSTs a JSON body and decodes the answer as server-sent events, one at a time as they arrive. The first event
     * must come within the first-byte timeout, each next one within the idle timeout. Cancelling closes the
     * connection.
     */
    public Flux<ServerSentEvent<String>> postForEvents(URI uri, Consumer<HttpHeaders> headers, byte[] body,
            UpstreamErrorDecoder errors) {
        return client.post()
            .uri(uri)
            .headers(headers)
            .contentType(MediaType.APPLICATION_JSON)
            .accept(MediaType.TEXT_EVENT_STREAM)
            .bodyValue(body)
            .exchangeToFlux(response -> response.statusCode().is2xxSuccessful() ? response.bodyToFlux(SSE)
                    : UpstreamHttp.<ServerSentEvent<String>>errorOf(response, errors).flux())
            .timeout(Mono.delay(timeouts.firstByte()), event -> Mono.delay(timeouts.idle()))
            .onErrorMap(this::toUpstreamException);
    }

    private static <T> Mono<T> errorOf(ClientResponse response, UpstreamErrorDecoder errors) {
        int status = response.statusCode().value();
        HttpHeaders headers = response.headers().asHttpHeaders();
        return response.bodyToMono(byte[].class)
            .defaultIfEmpty(new byte[0])
            .flatMap(body -> Mono.error(errors.decode(status, headers, body)));
    }

    private Throwable toUpstreamException(Throwable error) {
        if (error instanceof UpstreamException) {
            return error;
        }
        if (error instanceof TimeoutException) {
            return UpstreamException.timedOut(provider, "did not answer in time");
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

}
