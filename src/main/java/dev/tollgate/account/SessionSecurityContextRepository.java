package dev.tollgate.account;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.security.core.authority.SimpleGrantedAuthority;
import org.springframework.security.core.context.SecurityContext;
import org.springframework.security.core.context.SecurityContextImpl;
import org.springframework.security.web.server.context.ServerSecurityContextRepository;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;

/**
 * Loads the security context from Tollgate's own session cookie. Sessions live in PostgreSQL, so any replica can
 * serve any browser; sign-in and sign-out write the cookie themselves (see {@link AuthController}).
 */
final class SessionSecurityContextRepository implements ServerSecurityContextRepository {

    private final AccountService accounts;
    private final OperatorProperties operators;

    SessionSecurityContextRepository(AccountService accounts, OperatorProperties operators) {
        this.accounts = accounts;
        this.operators = operators;
    }

    @Override
    public Mono<Void> save(ServerWebExchange exchange, SecurityContext context) {
        return Mono.empty();
    }

    @Override
    public Mono<SecurityContext> load(ServerWebExchange exchange) {
        String token = SessionCookie.read(exchange);
        if (token == null) {
            return Mono.empty();
        }
        return accounts.findSession(token).map(user -> {
            List<GrantedAuthority> authorities = new ArrayList<>();
            authorities.add(new SimpleGrantedAuthority("ROLE_" + user.role().toUpperCase(Locale.ROOT)));
            if (operators.isOperator(user.email())) {
                authorities.add(new SimpleGrantedAuthority("ROLE_OPERATOR"));
            }
            return new SecurityContextImpl(UsernamePasswordAuthenticationToken.authenticated(user, token, authorities));
        });
    }

}
