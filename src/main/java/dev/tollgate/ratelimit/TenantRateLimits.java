package dev.tollgate.ratelimit;

import java.util.Map;
import java.util.UUID;
import java.util.function.Function;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;

import dev.tollgate.common.RefreshingSnapshot;
import dev.tollgate.database.ClusterEvents;

/**
 * Each tenant's rate limits: the operator's settings (a small table: most tenants have none and are on the default
 * plan) held in memory, resolved against the configured plans. A change is re-read at once by every instance (a
 * cluster event); the table is also re-read every {@code tollgate.ratelimit.refresh-interval}, should an event be lost.
 */
@Component
class TenantRateLimits {

    private static final Logger log = LoggerFactory.getLogger(TenantRateLimits.class);

    private static final String CHANGED = "tenant-rate-limits-changed";

    private final TenantRateLimitRepository repository;
    private final RateLimitProperties properties;
    private final ClusterEvents events;
    private final RefreshingSnapshot<Map<UUID, TenantRateLimit>> settings;

    TenantRateLimits(TenantRateLimitRepository repository, RateLimitProperties properties, ClusterEvents events) {
        this.repository = repository;
        this.properties = properties;
        this.events = events;
        this.settings = new RefreshingSnapshot<>("tenant rate limits", repository::findAll);
        events.on(CHANGED, ignored -> settings.refresh());
    }

    Mono<Limits> limits(UUID tenantId) {
        return setting(tenantId, this::resolve);
    }

    /** The operator's setting for the tenant; the default while none can be read (limits never fail a request). */
    Mono<TenantRateLimit> setting(UUID tenantId) {
        return setting(tenantId, Function.identity());
    }

    private <R> Mono<R> setting(UUID tenantId, Function<TenantRateLimit, R> then) {
        // Once read, the settings are always there (a failed refresh keeps them): only a first read can fail.
        boolean loaded = settings.isLoaded();
        Mono<R> setting = settings.map(all -> then.apply(all.getOrDefault(tenantId, TenantRateLimit.DEFAULT)));
        return loaded ? setting : setting.onErrorResume(error -> {
            log.debug("Could not read tenant rate limits: {}", error.toString());
            return Mono.just(then.apply(TenantRateLimit.DEFAULT));
        });
    }

    /** Stores the tenant's setting; it applies at once here, and on the other instances when they hear of it. */
    Mono<Void> save(UUID tenantId, TenantRateLimit setting) {
        return repository.save(tenantId, setting)
            .then(settings.reload())
            .then(events.publish(CHANGED, tenantId.toString()).onErrorResume(error -> {
                log.warn("Could not tell other instances about a rate-limit change; they re-read it within {}",
                        properties.refreshInterval());
                return Mono.empty();
            }));
    }

    @Scheduled(fixedDelayString = "${tollgate.ratelimit.refresh-interval:10s}")
    void refresh() {
        settings.refresh();
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
