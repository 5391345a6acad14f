package dev.tollgate.ratelimit;

import java.time.Duration;
import java.util.UUID;

import com.github.benmanes.caffeine.cache.AsyncLoadingCache;
import com.github.benmanes.caffeine.cache.Caffeine;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;

/**
 * Each tenant's rate limits: the operator's setting for it (read from the database once, then kept in memory and
 * refreshed in the background every {@code tollgate.ratelimit.refresh-interval}) resolved against the configured
 * plans. A change made on this instance applies to its next request; one made on another, within the interval.
 */
@Component
class TenantRateLimits {

    private static final Logger log = LoggerFactory.getLogger(TenantRateLimits.class);

    private final TenantRateLimitRepository repository;
    private final RateLimitProperties properties;
    private final AsyncLoadingCache<UUID, TenantRateLimit> settings;

    TenantRateLimits(TenantRateLimitRepository repository, RateLimitProperties properties) {
        this.repository = repository;
        this.properties = properties;
        this.settings = Caffeine.newBuilder()
            .maximumSize(100_000)
            .refreshAfterWrite(properties.refreshInterval())
            .expireAfterAccess(Duration.ofMinutes(30))
            .buildAsync((tenantId, executor) -> repository.find(tenantId).toFuture());
    }

    Mono<Limits> limits(UUID tenantId) {
        return setting(tenantId).map(this::resolve);
    }

    /** The operator's setting for the tenant; the default when it cannot be read (limits never fail a request). */
    Mono<TenantRateLimit> setting(UUID tenantId) {
        // The future is shared by every caller: one request going away must not cancel it for the others.
        return Mono.fromFuture(settings.get(tenantId), true).onErrorResume(error -> {
            log.debug("Could not read the rate limit of tenant {}: {}", tenantId, error.toString());
            return Mono.just(TenantRateLimit.DEFAULT);
        });
    }

    Mono<Void> save(UUID tenantId, TenantRateLimit setting) {
        return repository.save(tenantId, setting).then(Mono.fromRunnable(() -> settings.put(tenantId,
                Mono.just(setting).toFuture())));
    }

    Limits resolve(TenantRateLimit setting) {
        if (setting.explicit()) {
            return Limits.of(setting.requestsPerMinute(), setting.tokensPerMinute());
        }
        String plan = plan(setting);
        return plan == null ? Limits.NONE : properties.plans().get(plan).limits();
    }

    /** The plan the tenant is on: the operator's choice while it is still configured, else the default plan. */
    @Nullable String plan(TenantRateLimit setting) {
        if (setting.explicit()) {
            return null;
        }
        return setting.plan() != null && properties.plans().containsKey(setting.plan()) ? setting.plan()
                : properties.defaultPlan();
    }

}
