package dev.tollgate.proxy;

import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpHeaders;
import org.springframework.web.reactive.function.server.ServerRequest;

/** Where clients put their Tollgate key: {@code Authorization: Bearer …}, or {@code x-api-key} as Anthropic's SDKs do. */
final class ApiKeyHeaders {

    private ApiKeyHeaders() {
    }

    static @Nullable String presentedKey(ServerRequest request) {
        return presentedKey(request.headers().asHttpHeaders());
    }

    static @Nullable String presentedKey(HttpHeaders headers) {
        String authorization = headers.getFirst(HttpHeaders.AUTHORIZATION);
        if (authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return authorization.substring(7).trim();
        }
        String apiKey = headers.getFirst("x-api-key");
        return apiKey != null ? apiKey.trim() : null;
    }

}
