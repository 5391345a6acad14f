package dev.tollgate.proxy;

import java.time.Duration;
import java.util.List;

import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.web.cors.CorsConfiguration;
import org.springframework.web.cors.reactive.CorsWebFilter;
import org.springframework.web.cors.reactive.UrlBasedCorsConfigurationSource;

/**
 * Cross-origin calls to the proxy API ({@code /v1/**}), as OpenAI's and OpenRouter's APIs take them: a web page may
 * call Tollgate with a key it holds, from any origin. The key is the credential, never a cookie, so any origin is
 * allowed and none gets credentials; the dashboard's API ({@code /api/**}, cookie sessions) takes no cross-origin call.
 * Clients read the answer's own headers: the generation id, the rate limits, a Retry-After.
 */
final class ProxyCors {

    static final List<String> EXPOSED = List.of(ChatCompletionsHandler.GENERATION_HEADER, "x-tollgate-overhead-ms",
            "x-tollgate-cache", "x-ratelimit-limit-requests", "x-ratelimit-remaining-requests",
            "x-ratelimit-reset-requests", "x-ratelimit-limit-tokens", "x-ratelimit-remaining-tokens",
            "x-ratelimit-reset-tokens", HttpHeaders.RETRY_AFTER, "retry-after-ms");

    private static final String EXPOSED_VALUE = String.join(", ", EXPOSED);

    private ProxyCors() {
    }

    /** Preflights, and the answers WebFlux serves: every proxy path but the hot path's. */
    static CorsWebFilter filter() {
        CorsConfiguration cors = new CorsConfiguration();
        cors.addAllowedOrigin(CorsConfiguration.ALL);
        cors.addAllowedHeader(CorsConfiguration.ALL);
        cors.addAllowedMethod(HttpMethod.GET);
        cors.addAllowedMethod(HttpMethod.POST);
        cors.setExposedHeaders(EXPOSED);
        cors.setAllowCredentials(false);
        cors.setMaxAge(Duration.ofDays(1));
        UrlBasedCorsConfigurationSource source = new UrlBasedCorsConfigurationSource();
        source.registerCorsConfiguration("/v1/**", cors);
        source.registerCorsConfiguration("/api/v1/**", cors);
        return new CorsWebFilter(source);
    }

    /** The hot path's answers (served below WebFlux and its filters): a header lookup for calls from no page. */
    static void allow(ServerHttpRequest request, ServerHttpResponse response) {
        if (request.getHeaders().getOrigin() != null) {
            HttpHeaders headers = response.getHeaders();
            headers.set(HttpHeaders.ACCESS_CONTROL_ALLOW_ORIGIN, CorsConfiguration.ALL);
            headers.set(HttpHeaders.ACCESS_CONTROL_EXPOSE_HEADERS, EXPOSED_VALUE);
        }
    }

}
