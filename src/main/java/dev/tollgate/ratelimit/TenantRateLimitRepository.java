package dev.tollgate.ratelimit;

import java.util.Map;
import java.util.UUID;

import org.jspecify.annotations.Nullable;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Repository;
import reactor.core.publisher.Mono;

import dev.tollgate.database.DatabaseMigrations;

@Repository
class TenantRateLimitRepository {

    private final DatabaseClient db;

    TenantRateLimitRepository(DatabaseClient db, DatabaseMigrations migrated) {
        this.db = db;
    }

    /** Every setting the operator made, by tenant; tenants without one are on the default plan. */
    Mono<Map<UUID, TenantRateLimit>> findAll() {
        return db.sql("select tenant_id, plan, requests_per_minute, tokens_per_minute from tenant_rate_limit")
            .map((row, meta) -> {
                String plan = row.get("plan", String.class);
                return Map.entry(row.get("tenant_id", UUID.class), plan != null ? TenantRateLimit.plan(plan)
                        : TenantRateLimit.explicit(row.get("requests_per_minute", Long.class),
                                row.get("tokens_per_minute", Long.class)));
            })
            .all()
            .collectMap(Map.Entry::getKey, Map.Entry::getValue);
    }

    /** Stores the setting (removing it for {@link TenantRateLimit#DEFAULT}); an unknown tenant fails the insert. */
    Mono<Void> save(UUID tenantId, TenantRateLimit setting) {
        if (setting.equals(TenantRateLimit.DEFAULT)) {
            return db.sql("delete from tenant_rate_limit where tenant_id = :tenant").bind("tenant", tenantId).then();
        }
        DatabaseClient.GenericExecuteSpec upsert = db.sql("""
                insert into tenant_rate_limit (tenant_id, plan, requests_per_minute, tokens_per_minute)
                values (:tenant, :plan, :requests, :tokens)
                on conflict (tenant_id) do update set plan = excluded.plan,
                    requests_per_minute = excluded.requests_per_minute, tokens_per_minute = excluded.tokens_per_minute,
                    updated_at = now()""")
            .bind("tenant", tenantId);
        upsert = bind(upsert, "plan", setting.plan(), String.class);
        upsert = bind(upsert, "requests", setting.requestsPerMinute(), Long.class);
        upsert = bind(upsert, "tokens", setting.tokensPerMinute(), Long.class);
        return upsert.then();
    }

    private static <T> DatabaseClient.GenericExecuteSpec bind(DatabaseClient.GenericExecuteSpec spec, String name,
            @Nullable T value, Class<T> type) {
        return value == null ? spec.bindNull(name, type) : spec.bind(name, value);
    }

}
