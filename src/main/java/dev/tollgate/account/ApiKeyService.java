package dev.tollgate.account;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

import com.github.benmanes.caffeine.cache.AsyncLoadingCache;
import com.github.benmanes.caffeine.cache.Caffeine;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Service;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import dev.tollgate.common.ApiException;
import dev.tollgate.common.SecureIds;
import dev.tollgate.common.Sha256;
import dev.tollgate.database.ClusterEvents;

/**
 * API keys: creation (shown once), listing, revocation, and the authentication the proxy runs on every call.
 * Lookups are cached in memory by key hash, so the hot path does not touch the database; revoking a key evicts it
 * from this instance's cache at once.
 */
@Service
public class ApiKeyService {

    private static final Logger log = LoggerFactory.getLogger(ApiKeyService.class);

    /** A safety net for changes made by other instances; revocation on this instance is immediate. */
    private static final Duration CACHE_TTL = Duration.ofSeconds(30);

    private static final String KEY_CHANGED = "key-changed";

    /** How stale a key's "last used" may be, at most (it is written to the database every few seconds anyway). */
    private static final long LAST_USED_RESOLUTION_MILLIS = 1000;

    private final ApiKeyRepository keys;
    private final ClusterEvents events;
    private final Clock clock;
    private final AsyncLoadingCache<String, Optional<AuthenticatedKey>> byHash;
    private final ConcurrentHashMap<UUID, Instant> lastUsed = new ConcurrentHashMap<>();

    ApiKeyService(ApiKeyRepository keys, ClusterEvents events, Clock clock) {
        this.keys = keys;
        this.events = events;
        this.clock = clock;
        this.byHash = Caffeine.newBuilder()
            .maximumSize(100_000)
            .expireAfterWrite(CACHE_TTL)
            .buildAsync((hashHex, executor) -> keys.findActiveByHash(HexFormat.of().parseHex(hashHex))
                .map(Optional::of)
                .defaultIfEmpty(Optional.empty())
                .toFuture());
        // A key revoked or changed on any replica is forgotten here within a moment, not after the cache's TTL.
        events.on(KEY_CHANGED, hashHex -> byHash.synchronous().invalidate(hashHex));
    }

    /**
     * Resolves a presented key to its live record.
     * @return the key, or an error {@link ApiException} 401 when it is malformed, unknown or revoked
     */
    public Mono<AuthenticatedKey> authenticate(@Nullable String presentedKey) {
        if (presentedKey == null || presentedKey.isEmpty()) {
            return Mono.error(ApiException.invalidApiKey(
                    "No API key provided. Send it as 'Authorization: Bearer sk-tg-v1-…'."));
        }
        if (!ApiKeyTokens.hasKeyShape(presentedKey)) {
            return Mono.error(ApiException.invalidApiKey("Incorrect API key provided."));
        }
        CompletableFuture<Optional<AuthenticatedKey>> lookup = byHash.get(hashHex(presentedKey));
        if (lookup.isDone() && !lookup.isCompletedExceptionally()) {
            // Cached, as for nearly every call: the answer at once, without the operators that wait for a lookup.
            return used(lookup.join());
        }
        // Shared by every call presenting this key meanwhile: one client hanging up must not cancel it for the others.
        return Mono.fromFuture(lookup, true).flatMap(this::used);
    }

    private Mono<AuthenticatedKey> used(Optional<AuthenticatedKey> found) {
        if (found.isEmpty()) {
            return Mono.error(ApiException.invalidApiKey("Incorrect API key provided."));
        }
        AuthenticatedKey key = found.get();
        // Noted at most once a second per key: a key's calls on every event loop would otherwise all write (and lock)
        // the same map entry.
        Instant noted = lastUsed.get(key.keyId());
        long now = clock.millis();
        if (noted == null || now - noted.toEpochMilli() >= LAST_USED_RESOLUTION_MILLIS) {
            lastUsed.put(key.keyId(), Instant.ofEpochMilli(now));
        }
        return Mono.just(key);
    }

    /** Writes when keys were last used, gathered in memory so that a call never waits for that write. */
    @Scheduled(fixedDelayString = "${tollgate.keys.last-used-flush-interval:5s}")
    void flushLastUsed() {
        if (lastUsed.isEmpty()) {
            return;
        }
        Map<UUID, Instant> batch = new HashMap<>();
        lastUsed.forEach((id, at) -> {
            batch.put(id, at);
            lastUsed.remove(id, at);
        });
        keys.touch(batch).subscribe(done -> { }, error -> log.warn("Could not record key use: {}", error.toString()));
    }

    public Mono<CreatedApiKey> create(UUID tenantId, String name, @Nullable Long creditLimitMicros) {
        return create(tenantId, name, creditLimitMicros, null);
    }

    public Mono<CreatedApiKey> create(UUID tenantId, String name, @Nullable Long creditLimitMicros,
            @Nullable KeyRateLimit rateLimit) {
        String key = ApiKeyTokens.newKey();
        UUID id = SecureIds.uuid();
        String prefix = ApiKeyTokens.displayPrefix(key);
        byte[] hash = Sha256.of(key);
        return keys.insert(id, tenantId, name, hash, prefix, creditLimitMicros, rateLimit)
            .then(Mono.fromRunnable(() -> byHash.synchronous().invalidate(HexFormat.of().formatHex(hash))))
            .thenReturn(new CreatedApiKey(id, name, key, prefix + "…", creditLimitMicros,
                    OffsetDateTime.now(clock), rateLimit));
    }

    public Flux<ApiKeyView> list(UUID tenantId) {
        return keys.findActiveByTenant(tenantId);
    }

    /** The names of all the tenant's keys, revoked ones included, by id. */
    public Mono<Map<UUID, String>> names(UUID tenantId) {
        return keys.findAllByTenant(tenantId).collectMap(ApiKeyView::id, ApiKeyView::name);
    }

    /**
     * Sets or clears a key's credit limit; this instance applies it to the next call at once.
     * @return an error 404 when the tenant has no such active key
     */
    public Mono<Void> updateLimit(UUID tenantId, UUID keyId, @Nullable Long creditLimitMicros) {
        return keys.updateLimit(tenantId, keyId, creditLimitMicros)
            .switchIfEmpty(Mono.error(() -> ApiException.notFound("API key")))
            .flatMap(this::forget);
    }

    /**
     * Sets or clears a key's own rate limits; this instance applies them to the next call at once.
     * @return an error 404 when the tenant has no such active key
     */
    public Mono<Void> updateRateLimit(UUID tenantId, UUID keyId, @Nullable KeyRateLimit rateLimit) {
        return keys.updateRateLimit(tenantId, keyId, rateLimit)
            .switchIfEmpty(Mono.error(() -> ApiException.notFound("API key")))
            .flatMap(this::forget);
    }

    /**
     * Revokes a key so that it fails at once on this instance.
     * @return an error 404 when the tenant has no such active key
     */
    public Mono<Void> revoke(UUID tenantId, UUID keyId) {
        return keys.revoke(tenantId, keyId)
            .switchIfEmpty(Mono.error(() -> ApiException.notFound("API key")))
            .flatMap(this::forget);
    }

    /** Drops the key from this instance's cache at once, and from every other instance's through a cluster event. */
    private Mono<Void> forget(byte[] hash) {
        String hex = HexFormat.of().formatHex(hash);
        byHash.synchronous().invalidate(hex);
        return events.publish(KEY_CHANGED, hex)
            .onErrorResume(error -> {
                log.warn("Could not tell other instances about a key change; their caches expire within {}",
                        CACHE_TTL, error);
                return Mono.empty();
            });
    }

    private static String hashHex(String key) {
        return HexFormat.of().formatHex(Sha256.of(key));
    }

}
