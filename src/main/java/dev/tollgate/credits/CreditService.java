package dev.tollgate.credits;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import com.github.benmanes.caffeine.cache.AsyncCache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.SmartLifecycle;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Service;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import dev.tollgate.account.AuthenticatedKey;
import dev.tollgate.common.Keyset;
import dev.tollgate.common.Money;
import dev.tollgate.common.SecureIds;
import dev.tollgate.database.ClusterEvents;

/**
 * Credits: the ledger (credits in, usage out) and admission. Admission places a hold against money this instance has
 * leased from the tenant's balance, so a request is admitted in memory; the database is asked only when the lease
 * runs low (one locked update per tenant, serialized across instances). See the README's "Credits" section for the
 * overshoot bound and the durability window.
 */
@Service
public class CreditService implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(CreditService.class);

    private static final int MAX_LEASE_ATTEMPTS = 8;
    private static final Duration KEY_BUDGET_IDLE = Duration.ofMinutes(10);

    private static final String BALANCE_REDUCED = "balance-reduced";

    private final LedgerRepository ledger;
    private final LeaseRepository leases;
    private final ClusterEvents events;
    private final CreditsProperties properties;
    private final PostpaidTenants postpaid;
    private final long leaseSizeMicros;
    private final String instanceId = SecureIds.hex(6);
    private final Map<UUID, Wallet> wallets = new ConcurrentHashMap<>();
    private final Map<UUID, Mono<Long>> leasing = new ConcurrentHashMap<>();
    private final Set<Wallet> retiring = ConcurrentHashMap.newKeySet();
    /** Loaded once per key however many calls ask at once; forgotten by {@link #forgetIdleKeyBudgets}. */
    private final AsyncCache<UUID, KeyBudget> keyBudgets = Caffeine.newBuilder().buildAsync();
    private final AtomicInteger outstandingHolds = new AtomicInteger();
    private volatile boolean running;

    CreditService(LedgerRepository ledger, LeaseRepository leases, CreditsProperties properties,
            ClusterEvents events, MeterRegistry registry, ObjectProvider<PostpaidTenants> postpaid) {
        this.ledger = ledger;
        this.events = events;
        events.on(BALANCE_REDUCED, message -> {
            String[] parts = message.split(":");
            if (parts.length == 2 && !parts[1].equals(instanceId)) {
                giveBackLease(UUID.fromString(parts[0]))
                    .subscribe(done -> { }, error -> log.warn("Could not give a lease back: {}", error.toString()));
            }
        });
        this.leases = leases;
        this.properties = properties;
        this.postpaid = postpaid.getIfAvailable(() -> tenantId -> Mono.just(false));
        this.leaseSizeMicros = Money.usdToMicros(properties.lease().sizeUsd(), "tollgate.credits.lease.size-usd");
        Gauge.builder("tollgate.holds.outstanding", outstandingHolds, AtomicInteger::get)
            .description("Credit holds of calls in flight")
            .register(registry);
        Gauge.builder("tollgate.holds.outstanding.micros", wallets,
                all -> all.values().stream().mapToLong(Wallet::held).sum())
            .description("Credit held for calls in flight, in micro-dollars")
            .register(registry);
    }

    /**
     * Sets aside up to {@code amountMicros} of the tenant's balance (and of the key's limit, if it has one) for one
     * request. A postpaid tenant's balance is not checked (its usage is invoiced), only the key's limit.
     * @return the hold, or an error 402 when the balance or the key's limit does not cover it
     */
    public Mono<Hold> hold(AuthenticatedKey key, long amountMicros) {
        Long limit = key.creditLimitMicros();
        if (limit == null) {
            return holdWithin(key, amountMicros, null);
        }
        return keyBudget(key.keyId(), limit).flatMap(budget -> {
            if (budget.tryHold(amountMicros)) {
                return holdWithin(key, amountMicros, budget);
            }
            if (budget.retired()) {
                // Retired for being idle as this call found it: the next turn finds a fresh one.
                return hold(key, amountMicros);
            }
            return Mono.error(InsufficientCredits.key(amountMicros, budget.remaining()));
        });
    }

    /**
     * Holds the amount of the tenant's balance, the key's budget (if it has one) already holding it. What is held is
     * ended by exactly one of: the {@link Hold} once it is handed over, this admission's error, or its cancellation
     * (the client gone while a lease was asked of the database: the key's budget used to stay held, and enough such
     * calls refused the key with 402s until a restart).
     */
    private Mono<Hold> holdWithin(AuthenticatedKey key, long amountMicros, @Nullable KeyBudget budget) {
        // A postpaid tenant spends without a lease: a wallet of its own for this hold, outside the map.
        Mono<Wallet> held = postpaid.isPostpaid(key.tenantId())
            .flatMap(invoiced -> invoiced ? Mono.just(new Wallet(key.tenantId()))
                    : holdInWallet(key.tenantId(), amountMicros, 0));
        if (budget == null) {
            // Nothing held before the wallet's hold, which is made in the same signal as the Hold: the simple path
            // (most keys, and every call of the benchmark; the one below allocates a few hundred bytes more).
            return held.map(wallet -> {
                outstandingHolds.incrementAndGet();
                return new Hold(amountMicros, wallet, null, outstandingHolds::decrementAndGet);
            });
        }
        return Mono.defer(() -> {
            AtomicBoolean decided = new AtomicBoolean();
            Runnable endBudget = () -> {
                if (decided.compareAndSet(false, true)) {
                    budget.settle(amountMicros, 0);
                }
            };
            return held
                .<Hold>handle((wallet, sink) -> {
                    if (decided.compareAndSet(false, true)) {
                        outstandingHolds.incrementAndGet();
                        sink.next(new Hold(amountMicros, wallet, budget, outstandingHolds::decrementAndGet));
                    }
                    else {
                        // Cancelled while the wallet's hold was made: no one would end it. The budget's was ended then.
                        wallet.settle(amountMicros, 0);
                    }
                })
                .doOnError(error -> endBudget.run())
                .doOnCancel(endBudget);
        });
    }

    private Mono<Wallet> holdInWallet(UUID tenantId, long amount, int attempt) {
        Wallet wallet = wallets.compute(tenantId, (id, current) -> current == null || current.retired()
                ? new Wallet(id) : current);
        if (wallet.tryHold(amount)) {
            return Mono.just(wallet);
        }
        if (wallet.retired()) {
            // It was just retired for being idle; the next turn finds a fresh wallet.
            return holdInWallet(tenantId, amount, attempt + 1);
        }
        if (attempt >= MAX_LEASE_ATTEMPTS) {
            return Mono.error(InsufficientCredits.tenant(amount));
        }
        return extendLease(wallet, amount).flatMap(granted -> granted > 0 || wallet.available() >= amount
                ? holdInWallet(tenantId, amount, attempt + 1)
                : Mono.error(InsufficientCredits.tenant(amount)));
    }

    /**
     * One lease request per tenant at a time; requests arriving meanwhile wait for it and try again. The request is
     * forgotten before its result is passed on, so that whoever tries next asks the database again.
     */
    private Mono<Long> extendLease(Wallet wallet, long minimum) {
        return leasing.computeIfAbsent(wallet.tenantId(), tenant -> {
            long wanted = Math.max(minimum, leaseSizeMicros);
            return liveLease(wallet).flatMap(leaseId -> leases.grant(leaseId, tenant, instanceId, minimum, wanted,
                        properties.lease().ttl())
                    .doOnNext(granted -> {
                        if (granted > 0) {
                            wallet.leased(leaseId, granted);
                        }
                    }))
                .doOnNext(granted -> leasing.remove(tenant))
                .doOnError(error -> leasing.remove(tenant))
                .cache();
        });
    }

    /**
     * The wallet's lease if it is still alive, else a new one's id. A lease whose renewals were missed for its whole
     * life (a database failover, say) counts as free money to every grant since: the wallet loses what it had left of
     * it and leases anew, rather than adding to it and reviving it.
     */
    private Mono<UUID> liveLease(Wallet wallet) {
        UUID current = wallet.leaseId();
        if (current == null) {
            return Mono.fromSupplier(SecureIds::uuid);
        }
        return leases.renew(current, properties.lease().ttl()).map(alive -> {
            if (alive) {
                return current;
            }
            log.warn("Lease of tenant {} expired before renewal; leasing again", wallet.tenantId());
            wallet.leaseLost(current);
            return SecureIds.uuid();
        });
    }

    /** The budget of a key with a credit limit. */
    private Mono<KeyBudget> keyBudget(UUID keyId, long limit) {
        return loadBudget(keyId, limit).doOnNext(budget -> {
            if (budget.limit() != limit) {
                // The key's limit changed since this budget was built; what it holds and owes carries over.
                budget.limit(limit);
            }
        });
    }

    private Mono<KeyBudget> loadBudget(UUID keyId, long limit) {
        CompletableFuture<KeyBudget> loading = keyBudgets.get(keyId, (id, executor) -> ledger.keySpend(id)
            .map(spend -> new KeyBudget(limit, spend))
            .toFuture());
        // Shared by every call of this key meanwhile: one cancelled call must not cancel the load for the others.
        return Mono.fromFuture(loading, true).flatMap(budget -> {
            if (budget.retired()) {
                // Retired for being idle, and not yet forgotten: forgotten here, and built afresh.
                keyBudgets.asMap().remove(keyId, loading);
                return loadBudget(keyId, limit);
            }
            return Mono.just(budget);
        });
    }

    /**
     * Appends a credit (or, with a negative amount, a debit other than usage) to the tenant's ledger.
     * @return true when appended, false when this external reference was already recorded for this kind
     */
    public Mono<Boolean> append(UUID tenantId, CreditKind kind, long amountMicros, @Nullable String externalRef,
            @Nullable String description) {
        Mono<Boolean> appended = ledger.append(tenantId, kind.column(), amountMicros, externalRef, description)
            .hasElement();
        if (amountMicros >= 0) {
            return appended;
        }
        // Less money than the instances may have leased: every instance gives its slice back and leases anew.
        return appended.flatMap(done -> giveBackLease(tenantId)
            .then(events.publish(BALANCE_REDUCED, tenantId + ":" + instanceId).onErrorResume(error -> Mono.empty()))
            .thenReturn(done));
    }

    /**
     * Retires the tenant's wallet here: new holds lease anew from the (lower) balance, while the old lease keeps just
     * what its holds in flight and unwritten charges need, until they are done (see {@link #maintainLeases()}).
     */
    private Mono<Void> giveBackLease(UUID tenantId) {
        Wallet wallet = wallets.remove(tenantId);
        if (wallet == null) {
            return Mono.empty();
        }
        wallet.retire();
        UUID leaseId = wallet.leaseId();
        if (leaseId == null) {
            return Mono.empty();
        }
        retiring.add(wallet);
        return leases.shrinkTo(leaseId, wallet.reserved());
    }

    public Mono<Balance> balance(UUID tenantId) {
        return ledger.balance(tenantId)
            .map(view -> new Balance(view.balanceMicros(), view.creditedMicros(), view.usedMicros()));
    }

    public Mono<Long> keySpend(UUID keyId) {
        return ledger.keySpend(keyId);
    }

    Mono<Void> createBalance(UUID tenantId) {
        return ledger.createBalance(tenantId);
    }

    Mono<LedgerRepository.Statement> statement(UUID tenantId, List<String> kinds, int page, int size, Keyset keyset) {
        return ledger.statement(tenantId, kinds, page, size, keyset);
    }

    /** Keeps this instance's leases alive, gives back idle ones, and releases leases of instances that died. */
    @Scheduled(fixedDelayString = "${tollgate.credits.lease.renew-interval:15s}")
    void maintainLeases() {
        long idleNanos = properties.lease().idleReturn().toNanos();
        Flux.fromIterable(wallets.values())
            .concatMap(wallet -> {
                UUID leaseId = wallet.leaseId();
                if (wallet.retireIfIdle(idleNanos)) {
                    wallets.remove(wallet.tenantId(), wallet);
                    return leaseId == null ? Mono.empty() : leases.giveBack(leaseId);
                }
                return leaseId == null ? Mono.empty() : leases.renew(leaseId, properties.lease().ttl())
                    .doOnNext(alive -> {
                        if (!alive) {
                            log.warn("Lease of tenant {} expired before renewal; leasing again", wallet.tenantId());
                            wallet.leaseLost(leaseId);
                        }
                    })
                    .then();
            })
            .thenMany(Flux.fromIterable(retiring))
            .concatMap(this::windDown)
            .then(leases.sweepExpired())
            .subscribe(swept -> { }, error -> log.warn("Could not maintain credit leases: {}", error.toString()));
    }

    /** A retired wallet's lease lives on (renewed) while it still reserves money, then is given back. */
    private Mono<Void> windDown(Wallet wallet) {
        UUID leaseId = wallet.leaseId();
        if (leaseId == null) {
            retiring.remove(wallet);
            return Mono.empty();
        }
        if (wallet.reserved() <= 0) {
            retiring.remove(wallet);
            return leases.giveBack(leaseId);
        }
        return leases.renew(leaseId, properties.lease().ttl()).then();
    }

    /** Re-reads what limited keys have spent, so that spend on other instances counts here too. */
    @Scheduled(fixedDelayString = "${tollgate.credits.key-spend-refresh-interval:10s}")
    void rereadKeySpend() {
        forgetIdleKeyBudgets(System.nanoTime());
        Flux.fromIterable(keyBudgets.synchronous().asMap().entrySet())
            .concatMap(entry -> Mono.defer(() -> {
                long mark = entry.getValue().readingMark();
                return ledger.keySpend(entry.getKey()).doOnNext(spend -> entry.getValue().reread(spend, mark));
            }))
            .subscribe(spend -> { }, error -> log.warn("Could not re-read key spend: {}", error.toString()));
    }

    /**
     * Forgets the budgets of keys with no call for {@link #KEY_BUDGET_IDLE} and nothing held or unwritten. A budget
     * still holding for a call in flight (a stream can run for hours) stays, however long since it was asked.
     */
    void forgetIdleKeyBudgets(long nowNanos) {
        keyBudgets.asMap().forEach((keyId, loading) -> {
            KeyBudget budget = loading.getNow(null);
            if (budget != null && budget.retireIfIdle(KEY_BUDGET_IDLE.toNanos(), nowNanos)) {
                keyBudgets.asMap().remove(keyId, loading);
            }
        });
    }

    @Override
    public void start() {
        running = true;
    }

    /** Gives every lease back at shutdown, after the usage writer has flushed (it stops in an earlier phase). */
    @Override
    public void stop(Runnable callback) {
        running = false;
        Flux.concat(Flux.fromIterable(wallets.values()), Flux.fromIterable(retiring))
            .mapNotNull(Wallet::leaseId)
            .concatMap(leases::giveBack)
            .then()
            .timeout(Duration.ofSeconds(10))
            .doFinally(signal -> callback.run())
            .subscribe(done -> { }, error -> log.warn("Could not give leases back: {}", error.toString()));
    }

    @Override
    public void stop() {
        stop(() -> { });
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    @Override
    public int getPhase() {
        return -100;
    }

    /**
     * Which tenants are postpaid (invoiced for their usage instead of paying in advance), answered from memory on the
     * request path. Billing provides it; without it every tenant is prepaid.
     */
    public interface PostpaidTenants {

        Mono<Boolean> isPostpaid(UUID tenantId);

    }

    /** A tenant's balance and what has gone in and out of it in total, in micro-dollars. */
    public record Balance(long balanceMicros, long creditedMicros, long usedMicros) {
    }

}
