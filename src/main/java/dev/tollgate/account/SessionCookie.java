package dev.tollgate.account;

import java.time.Duration;

import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpCookie;
import org.springframework.http.ResponseCookie;
import org.springframework.web.server.ServerWebExchange;

/** The HttpOnly cookie that carries a dashboard session. */
final class SessionCookie {

    static final String NAME = "TOLLGATE_SESSION";

    private SessionCookie() {
    }

    static @Nullable String read(ServerWebExchange exchange) {
        HttpCookie cookie = exchange.getRequest().getCookies().getFirst(NAME);
        return cookie == null || cookie.getValue().isEmpty() ? null : cookie.getValue();
    }

    static void write(ServerWebExchange exchange, String token) {
        exchange.getResponse().addCookie(build(exchange, token, AccountService.SESSION_LIFETIME));
    }

    static void clear(ServerWebExchange exchange) {
        exchange.getResponse().addCookie(build(exchange, "", Duration.ZERO));
    }

    private static ResponseCookie build(ServerWebExchange exchange, String value, Duration maxAge) {
        return ResponseCookie.from(NAME, value)
            .httpOnly(true)
            .secure("https".equals(exchange.getRequest().getURI().getScheme()))
            .sameSite("Lax")
            .path("/")
            .maxAge(maxAge)
            .build();
    }

}
