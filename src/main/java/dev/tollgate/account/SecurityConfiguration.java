package dev.tollgate.account;


import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.security.config.annotation.web.reactive.EnableWebFluxSecurity;
import org.springframework.security.config.web.server.ServerHttpSecurity;
import org.springframework.security.crypto.bcrypt.BCryptPasswordEncoder;
import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.security.web.server.SecurityWebFilterChain;
import org.springframework.security.web.server.csrf.CookieServerCsrfTokenRepository;
import org.springframework.security.web.server.csrf.CsrfWebFilter;
import org.springframework.security.web.server.csrf.ServerCsrfTokenRequestAttributeHandler;
import org.springframework.security.web.server.firewall.ServerExchangeRejectedHandler;
import org.springframework.security.web.server.header.ReferrerPolicyServerHttpHeadersWriter.ReferrerPolicy;
import org.springframework.security.web.server.util.matcher.AndServerWebExchangeMatcher;
import org.springframework.security.web.server.util.matcher.NegatedServerWebExchangeMatcher;
import org.springframework.security.web.server.util.matcher.ServerWebExchangeMatchers;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;

import dev.tollgate.common.ApiErrorJson;
import dev.tollgate.common.ApiException;

/**
 * Spring Security guards the dashboard API and the static app: a session cookie and CSRF double-submit
 * ({@code XSRF-TOKEN} cookie, {@code X-XSRF-TOKEN} header). The proxy paths ({@code /v1/**}, {@code /api/v1/**}) are
 * outside this chain: they authenticate API keys themselves, keeping the hot path short.
 */
@Configuration(proxyBeanMethods = false)
@EnableWebFluxSecurity
class SecurityConfiguration {

    static final String[] PROXY_PATHS = { "/v1/**", "/api/v1/**" };

    @Bean
    PasswordEncoder passwordEncoder() {
        return new BCryptPasswordEncoder();
    }

    /**
     * Spring Security's firewall refuses requests it finds suspect (a {@code //}, {@code ;} or encoded slash in the
     * path, a control character in a query value) on every path WebFlux serves; its own answer is a bare 400 with no
     * body, where Tollgate's errors are always OpenAI's shape.
     */
    @Bean
    ServerExchangeRejectedHandler rejectedInOpenAisShape(ApiErrorJson errors) {
        return (exchange, rejected) -> write(exchange, errors, new ApiException(HttpStatus.BAD_REQUEST,
                "invalid_request_error", "request_rejected", "The request was refused: " + rejected.getMessage()));
    }

    @Bean
    SecurityWebFilterChain dashboardSecurity(ServerHttpSecurity http, AccountService accounts,
            OperatorProperties operators, ApiErrorJson errors) {
        CookieServerCsrfTokenRepository csrfTokens = CookieServerCsrfTokenRepository.withHttpOnlyFalse();
        csrfTokens.setCookieCustomizer(cookie -> cookie.sameSite("Lax"));
        return http
            .securityMatcher(new NegatedServerWebExchangeMatcher(ServerWebExchangeMatchers.pathMatchers(PROXY_PATHS)))
            .securityContextRepository(new SessionSecurityContextRepository(accounts, operators))
            .csrf(csrf -> csrf.csrfTokenRepository(csrfTokens)
                // The SPA sends back exactly the cookie's value, so the token is not masked per request.
                .csrfTokenRequestHandler(new ServerCsrfTokenRequestAttributeHandler())
                // Stripe cannot send a CSRF token; its webhook is authenticated by its signature instead.
                .requireCsrfProtectionMatcher(new AndServerWebExchangeMatcher(CsrfWebFilter.DEFAULT_CSRF_MATCHER,
                        new NegatedServerWebExchangeMatcher(
                                ServerWebExchangeMatchers.pathMatchers("/api/billing/stripe-webhook"))))
                .accessDeniedHandler((exchange, denied) -> write(exchange, errors, new ApiException(
                        HttpStatus.FORBIDDEN, "permission_error", "csrf_token_invalid",
                        "Missing or invalid CSRF token: fetch GET /api/auth/csrf and send it as X-XSRF-TOKEN."))))
            .authorizeExchange(exchanges -> exchanges
                .pathMatchers(HttpMethod.POST, "/api/auth/signup", "/api/auth/login", "/api/auth/logout").permitAll()
                .pathMatchers(HttpMethod.GET, "/api/auth/csrf").permitAll()
                .pathMatchers(HttpMethod.POST, "/api/billing/stripe-webhook").permitAll()
                .pathMatchers("/api/operator/**").hasRole("OPERATOR")
                .pathMatchers("/api/**").authenticated()
                .anyExchange().permitAll())
            .exceptionHandling(handling -> handling
                .authenticationEntryPoint((exchange, ex) -> write(exchange, errors, ApiException.unauthenticated()))
                .accessDeniedHandler((exchange, denied) -> write(exchange, errors, new ApiException(
                        HttpStatus.FORBIDDEN, "permission_error", "forbidden", "You may not do this."))))
            .httpBasic(ServerHttpSecurity.HttpBasicSpec::disable)
            .formLogin(ServerHttpSecurity.FormLoginSpec::disable)
            .logout(ServerHttpSecurity.LogoutSpec::disable)
            .requestCache(ServerHttpSecurity.RequestCacheSpec::disable)
            .headers(headers -> headers.referrerPolicy(policy -> policy.policy(ReferrerPolicy.SAME_ORIGIN)))
            .build();
    }

    private static Mono<Void> write(ServerWebExchange exchange, ApiErrorJson errors, ApiException error) {
        ServerHttpResponse response = exchange.getResponse();
        response.setStatusCode(error.status());
        response.getHeaders().setContentType(MediaType.APPLICATION_JSON);
        return response.writeWith(Mono.just(response.bufferFactory().wrap(errors.bytes(error))));
    }

}
