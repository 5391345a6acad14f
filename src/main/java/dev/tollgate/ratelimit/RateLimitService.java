package dev.tollgate.ratelimit;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.jspecify.annotations.Nullable;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.stereotype.Service;
import reactor.core.publisher.Mono;

import dev.tollgate.account.AuthenticatedKey;
import dev.tollgate.account.KeyRateLimit;

/**
 * Rate limits for the proxy: requests and tokens per minute, for each API key (its own settings) and each tenant
 * (its plan or explicit limits), checked together before a call goes anywhere. No limit applies unless one is
 * configured. Decided in memory, or in Redis for all replicas when {@code spring.data.redis.url} is set.
 */
@Service
public class RateLimitService {

    private static final Mono<RateLimitPermit> UNLIMITED = Mono.just(RateLimitPermit.UNLIMITED);

    private final RateLimiter limiter;
    private final @Nullable RedisRateLimiter redis;
    private final TenantRateLimits tenants;
    private final Duration window;

    RateLimitService(LocalRateLimiter local, ObjectProvider<RedisRateLimiter> redis, TenantRateLimits tenants,
            RateLimitProperties properties) {
        this.redis = redis.getIfAvailable();
        this.limiter = this.redis != null ? this.redis : local;
        this.tenants = tenants;
        this.window = properties.window();
    }

    /**
     * Counts one request of about {@code tokens} tokens (the prompt's estimate plus {@code max_tokens}) against the
     * key's and its tenant's limits.
     * @return the permit, whose headers belong on the answer and whose {@link RateLimitPermit#settle} corrects the
     *     token count when the call ends; or an error {@link dev.tollgate.common.ApiException} 429 with
     *     {@code Retry-After} and {@code x-ratelimit-*} headers when a limit is reached (nothing is counted then)
     */
    public Mono<RateLimitPermit> admit(AuthenticatedKey key, long tokens) {
        long counted = Math.max(0, tokens);
        Limits own = limits(key.rateLimit());
        return tenants.limits(key.tenantId()).flatMap(tenant -> {
            List<Scope> scopes = scopes(key, own, tenant);
            if (scopes.isEmpty()) {
                return UNLIMITED;
            }
            // flatMap, not handle: handle restores the tracing thread-locals around every signal, which costs more
            // than the limit check itself.
            return limiter.take(scopes, counted).flatMap(verdict -> verdict.allowed()
                    ? Mono.just(new RateLimitPermit(RateLimitHeaders.of(scopes, verdict, counted, window),
                            verdict.countedBy(), scopes, counted))
                    : Mono.error(RateLimitHeaders.refusal(scopes, verdict, counted, window)));
        });
    }

    /** The limits that apply to the key (its own and its tenant's, the tighter of each kind); empty when none. */
    public Mono<RateLimitSummary> describe(AuthenticatedKey key) {
        Limits own = limits(key.rateLimit());
        return tenants.limits(key.tenantId()).mapNotNull(tenant -> {
            long requests = tighter(own.requests(), tenant.requests());
            long tokens = tighter(own.tokens(), tenant.tokens());
            if (requests == 0 && tokens == 0) {
                return null;
            }
            return new RateLimitSummary(requests == 0 ? null : requests, tokens == 0 ? null : tokens,
                    interval(window));
        });
    }

    /** Whether this instance's limits are shared with the other replicas through Redis at the moment. */
    public boolean sharedAcrossReplicas() {
        return redis != null && redis.shared();
    }

    private static List<Scope> scopes(AuthenticatedKey key, Limits own, Limits tenant) {
        List<Scope> scopes = new ArrayList<>(2);
        if (own.any()) {
            scopes.add(Scope.key(key.tenantId(), key.keyId(), own));
        }
        if (tenant.any()) {
            scopes.add(Scope.tenant(key.tenantId(), tenant));
        }
        return scopes;
    }

    private static Limits limits(@Nullable KeyRateLimit limit) {
        return limit == null ? Limits.NONE : Limits.of(limit.requestsPerMinute(), limit.tokensPerMinute());
    }

    private static long tighter(long a, long b) {
        return a == 0 ? b : b == 0 ? a : Math.min(a, b);
    }

    /** OpenRouter's interval notation: {@code 60s}, or milliseconds below a second. */
    static String interval(Duration window) {
        return window.toMillis() % 1000 == 0 ? window.toSeconds() + "s" : window.toMillis() + "ms";
    }

}
