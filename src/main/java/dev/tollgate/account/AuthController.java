package dev.tollgate.account;

import java.util.Map;

import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpStatus;
import org.springframework.security.web.server.csrf.CsrfToken;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;

import dev.tollgate.common.ApiException;

/** Sign-up, log-in, log-out and the CSRF token, as in the contract's dashboard API. */
@RestController
@RequestMapping("/api/auth")
class AuthController {

    private final AccountService accounts;
    private final OperatorProperties operators;
    private final SignInThrottle throttle;

    AuthController(AccountService accounts, OperatorProperties operators, SignInThrottle throttle) {
        this.accounts = accounts;
        this.operators = operators;
        this.throttle = throttle;
    }

    @GetMapping("/csrf")
    Mono<Map<String, String>> csrf(ServerWebExchange exchange) {
        Mono<CsrfToken> token = exchange.getAttribute(CsrfToken.class.getName());
        if (token == null) {
            return Mono.error(new IllegalStateException("CSRF protection is not configured"));
        }
        return token.map(csrf -> Map.of("token", csrf.getToken(), "headerName", csrf.getHeaderName()));
    }

    @PostMapping("/signup")
    @ResponseStatus(HttpStatus.CREATED)
    Mono<MeResponse> signUp(@RequestBody SignUpRequest request, ServerWebExchange exchange) {
        request.validate();
        throttle.admit(exchange.getRequest().getRemoteAddress());
        String email = request.email().trim();
        Mono<Boolean> takesCode = operators.acceptsSignupCode(request.operatorCode()) ? Mono.just(false)
                : accounts.sameEmailAsAny(email, operators.addresses());
        String organization = request.organization() == null || request.organization().isBlank()
                ? email : request.organization().trim();
        return takesCode.flatMap(refused -> refused ? Mono.error(operatorCodeRequired())
                : accounts.signUp(request.email(), request.password(), organization))
            .flatMap(user -> startSession(user, exchange));
    }

    @PostMapping("/login")
    Mono<MeResponse> login(@RequestBody LoginRequest request, ServerWebExchange exchange) {
        FormErrors errors = new FormErrors();
        errors.requireText("email", request.email());
        errors.requireText("password", request.password());
        errors.throwIfAny();
        throttle.admit(exchange.getRequest().getRemoteAddress());
        return accounts.verifyPassword(request.email(), request.password())
            .flatMap(user -> startSession(user, exchange));
    }

    @PostMapping("/logout")
    Mono<Map<String, Boolean>> logout(ServerWebExchange exchange) {
        String token = SessionCookie.read(exchange);
        SessionCookie.clear(exchange);
        Mono<Void> close = token == null ? Mono.empty() : accounts.closeSession(token);
        return close.thenReturn(Map.of("ok", true));
    }

    private Mono<MeResponse> startSession(SessionUser user, ServerWebExchange exchange) {
        String previous = SessionCookie.read(exchange);
        Mono<Void> closePrevious = previous == null ? Mono.empty() : accounts.closeSession(previous);
        return closePrevious.then(accounts.openSession(user)).map(token -> {
            SessionCookie.write(exchange, token);
            return MeResponse.of(user, operators);
        });
    }

    /** Checked after the sign-in throttle, so that the code cannot be guessed faster than passwords. */
    private ApiException operatorCodeRequired() {
        String message = operators.signupCodeConfigured()
                ? "This email is an operator's: creating its account takes the operator code"
                        + " (tollgate.operator.signup-code)."
                : "This email is an operator's, and its account can only be created with the operator code,"
                        + " which is not configured: set tollgate.operator.signup-code.";
        return new ApiException(HttpStatus.FORBIDDEN, "permission_error", "operator_code_required", message,
                "operatorCode", Map.of(), null);
    }

    record SignUpRequest(@Nullable String email, @Nullable String password, @Nullable String organization,
            @Nullable String operatorCode) {

        void validate() {
            FormErrors errors = new FormErrors();
            errors.requireEmail("email", email);
            // BCrypt reads at most 72 bytes: Spring Security's encoder refuses more (that was a 500) rather than
            // letting everything past the 72nd byte be ignored.
            errors.requireLength("password", password, 8, 72);
            errors.limitUtf8Bytes("password", password, 72);
            errors.limitLength("organization", organization, 100);
            errors.throwIfAny();
        }

    }

    record LoginRequest(@Nullable String email, @Nullable String password) {
    }

}
