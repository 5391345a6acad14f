package dev.tollgate.credits;

import java.time.Duration;
import java.util.UUID;

import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Repository;
import org.springframework.transaction.reactive.TransactionalOperator;
import reactor.core.publisher.Mono;

/**
 * Leases of tenants' balances to instances. Granting locks the tenant's balance row first, so that grants on all
 * instances are serialized per tenant and their sum never exceeds the balance.
 */
@Repository
class LeaseRepository {

    private final DatabaseClient db;
    private final TransactionalOperator transaction;

    LeaseRepository(DatabaseClient db, TransactionalOperator transaction) {
        this.db = db;
        this.transaction = transaction;
    }

    /**
     * Grants more of the tenant's balance to this instance's lease: at least {@code minimum} (else nothing), at most
     * {@code wanted}, and never more than half of what no instance holds unless the minimum needs it.
     * @return the amount granted; 0 when the unleased balance does not cover the minimum
     */
    Mono<Long> grant(UUID leaseId, UUID tenantId, String instanceId, long minimum, long wanted, Duration ttl) {
        Mono<Void> lock = db.sql("select 1 from credit_balance where tenant_id = :tenant for update")
            .bind("tenant", tenantId)
            .then();
        // A new statement after the lock sees every lease committed before it (read committed).
        Mono<Long> granted = db.sql("""
                with free as (
                    select b.balance_micros - coalesce((select sum(amount_micros) from credit_lease
                        where tenant_id = :tenant and expires_at > now()), 0) as amount
                    from credit_balance b where b.tenant_id = :tenant),
                grant_amount as (
                    select least(free.amount, greatest(:minimum, least(:wanted, free.amount / 2))) as amount
                    from free where free.amount >= :minimum)
                insert into credit_lease (id, tenant_id, instance_id, amount_micros, expires_at)
                select :lease, :tenant, :instance, amount, now() + :ttl * interval '1 millisecond' from grant_amount
                on conflict (id) do update
                    set amount_micros = credit_lease.amount_micros + excluded.amount_micros,
                        expires_at = excluded.expires_at
                    where credit_lease.expires_at > now()
                returning (select amount from grant_amount)""")
            .bind("lease", leaseId)
            .bind("tenant", tenantId)
            .bind("instance", instanceId)
            .bind("minimum", minimum)
            .bind("wanted", wanted)
            .bind("ttl", ttl.toMillis())
            .map(row -> row.get(0, Long.class))
            .one()
            .defaultIfEmpty(0L);
        return lock.then(granted).as(transaction::transactional);
    }

    /**
     * Extends a lease; false when it expired, swept or not. An expired lease is never revived: the grants made since
     * counted its money as free.
     */
    Mono<Boolean> renew(UUID leaseId, Duration ttl) {
        return db.sql("""
                update credit_lease set expires_at = now() + :ttl * interval '1 millisecond'
                where id = :lease and expires_at > now()""")
            .bind("lease", leaseId)
            .bind("ttl", ttl.toMillis())
            .fetch()
            .rowsUpdated()
            .map(rows -> rows > 0);
    }

    /** Gives back all of a lease but what its instance still needs for holds in flight and unwritten charges. */
    Mono<Void> shrinkTo(UUID leaseId, long reserved) {
        return db.sql("update credit_lease set amount_micros = least(amount_micros, :reserved) where id = :lease")
            .bind("lease", leaseId)
            .bind("reserved", reserved)
            .then();
    }

    Mono<Void> giveBack(UUID leaseId) {
        return db.sql("delete from credit_lease where id = :lease").bind("lease", leaseId).then();
    }

    /** Deletes leases whose instance stopped renewing them, releasing that money to the other instances. */
    Mono<Long> sweepExpired() {
        return db.sql("delete from credit_lease where expires_at < now()").fetch().rowsUpdated();
    }

}
