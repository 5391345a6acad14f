package dev.tollgate.account;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.UUID;

import io.r2dbc.spi.Readable;
import org.jspecify.annotations.Nullable;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Repository;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

@Repository
class ApiKeyRepository {

    private final DatabaseClient db;

    ApiKeyRepository(DatabaseClient db) {
        this.db = db;
    }

    Mono<Void> insert(UUID id, UUID tenantId, String name, byte[] keyHash, String prefix,
            @Nullable Long creditLimitMicros, @Nullable KeyRateLimit rateLimit) {
        DatabaseClient.GenericExecuteSpec insert = db.sql("""
                insert into api_key (id, tenant_id, name, key_hash, prefix, credit_limit_micros, requests_per_minute,
                    tokens_per_minute)
                values (:id, :tenant, :name, :hash, :prefix, :limit, :rpm, :tpm)""")
            .bind("id", id)
            .bind("tenant", tenantId)
            .bind("name", name)
            .bind("hash", keyHash)
            .bind("prefix", prefix);
        insert = bindLong(insert, "limit", creditLimitMicros);
        insert = bindRateLimit(insert, rateLimit);
        return insert.then();
    }

    /** The active key with this hash, or empty when unknown or revoked. */
    Mono<AuthenticatedKey> findActiveByHash(byte[] keyHash) {
        return db.sql("""
                select id, tenant_id, name, credit_limit_micros, requests_per_minute, tokens_per_minute from api_key
                where key_hash = :hash and revoked_at is null""")
            .bind("hash", keyHash)
            .map((row, meta) -> new AuthenticatedKey(row.get("id", UUID.class), row.get("tenant_id", UUID.class),
                    row.get("name", String.class), row.get("credit_limit_micros", Long.class), rateLimit(row)))
            .one();
    }

    Flux<ApiKeyView> findActiveByTenant(UUID tenantId) {
        return db.sql("""
                select id, name, prefix, credit_limit_micros, created_at, last_used_at, requests_per_minute,
                    tokens_per_minute from api_key
                where tenant_id = :tenant and revoked_at is null order by created_at desc""")
            .bind("tenant", tenantId)
            .map((row, meta) -> new ApiKeyView(row.get("id", UUID.class), row.get("name", String.class),
                    row.get("prefix", String.class) + "…", row.get("credit_limit_micros", Long.class),
                    row.get("created_at", OffsetDateTime.class), row.get("last_used_at", OffsetDateTime.class),
                    rateLimit(row)))
            .all();
    }

    /** Every key of the tenant, revoked ones too, by id: names for the activity log. */
    Flux<ApiKeyView> findAllByTenant(UUID tenantId) {
        return db.sql("""
                select id, name, prefix, credit_limit_micros, created_at, last_used_at, requests_per_minute,
                    tokens_per_minute from api_key
                where tenant_id = :tenant""")
            .bind("tenant", tenantId)
            .map((row, meta) -> new ApiKeyView(row.get("id", UUID.class), row.get("name", String.class),
                    row.get("prefix", String.class) + "…", row.get("credit_limit_micros", Long.class),
                    row.get("created_at", OffsetDateTime.class), row.get("last_used_at", OffsetDateTime.class),
                    rateLimit(row)))
            .all();
    }

    /** Sets or clears the tenant's key's credit limit; empty when the tenant has no such active key. */
    Mono<byte[]> updateLimit(UUID tenantId, UUID keyId, @Nullable Long creditLimitMicros) {
        DatabaseClient.GenericExecuteSpec update = db.sql("""
                update api_key set credit_limit_micros = :limit
                where id = :id and tenant_id = :tenant and revoked_at is null
                returning key_hash""")
            .bind("id", keyId)
            .bind("tenant", tenantId);
        update = creditLimitMicros == null ? update.bindNull("limit", Long.class)
                : update.bind("limit", creditLimitMicros);
        return update.map((row, meta) -> row.get("key_hash", byte[].class)).one();
    }

    /** Sets or clears the tenant's key's own rate limits; empty when the tenant has no such active key. */
    Mono<byte[]> updateRateLimit(UUID tenantId, UUID keyId, @Nullable KeyRateLimit rateLimit) {
        DatabaseClient.GenericExecuteSpec update = db.sql("""
                update api_key set requests_per_minute = :rpm, tokens_per_minute = :tpm
                where id = :id and tenant_id = :tenant and revoked_at is null
                returning key_hash""")
            .bind("id", keyId)
            .bind("tenant", tenantId);
        update = bindRateLimit(update, rateLimit);
        return update.map((row, meta) -> row.get("key_hash", byte[].class)).one();
    }

    /** Moves each key's last-used time forward (never back: another replica may have written a later one). */
    Mono<Void> touch(Map<UUID, Instant> lastUsed) {
        UUID[] ids = lastUsed.keySet().toArray(UUID[]::new);
        OffsetDateTime[] times = new OffsetDateTime[ids.length];
        for (int i = 0; i < ids.length; i++) {
            times[i] = lastUsed.get(ids[i]).atOffset(ZoneOffset.UTC);
        }
        return db.sql("""
                update api_key k set last_used_at = greatest(k.last_used_at, u.at)
                from unnest($1::uuid[], $2::timestamptz[]) as u(id, at) where k.id = u.id""")
            .bind(0, ids)
            .bind(1, times)
            .then();
    }

    /** Revokes the tenant's key and returns its hash, or empty when the tenant has no such active key. */
    Mono<byte[]> revoke(UUID tenantId, UUID keyId) {
        return db.sql("""
                update api_key set revoked_at = now()
                where id = :id and tenant_id = :tenant and revoked_at is null
                returning key_hash""")
            .bind("id", keyId)
            .bind("tenant", tenantId)
            .map((row, meta) -> row.get("key_hash", byte[].class))
            .one();
    }

    private static @Nullable KeyRateLimit rateLimit(Readable row) {
        return KeyRateLimit.of(row.get("requests_per_minute", Long.class), row.get("tokens_per_minute", Long.class));
    }

    private static DatabaseClient.GenericExecuteSpec bindRateLimit(DatabaseClient.GenericExecuteSpec spec,
            @Nullable KeyRateLimit rateLimit) {
        spec = bindLong(spec, "rpm", rateLimit == null ? null : rateLimit.requestsPerMinute());
        return bindLong(spec, "tpm", rateLimit == null ? null : rateLimit.tokensPerMinute());
    }

    private static DatabaseClient.GenericExecuteSpec bindLong(DatabaseClient.GenericExecuteSpec spec, String name,
            @Nullable Long value) {
        return value == null ? spec.bindNull(name, Long.class) : spec.bind(name, value);
    }

}
