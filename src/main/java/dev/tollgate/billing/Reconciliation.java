package dev.tollgate.billing;

import java.time.OffsetDateTime;
import java.util.List;
import java.util.UUID;

import org.jspecify.annotations.Nullable;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.ReactiveTransactionManager;
import org.springframework.transaction.reactive.TransactionalOperator;
import reactor.core.publisher.Mono;

import dev.tollgate.common.ReadSnapshot;

/**
 * Compares, for one tenant and period, what the request log charged while the tenant was postpaid with what Stripe
 * has acknowledged receiving as meter events, to the micro-dollar. A request belongs to the period of its
 * {@code created_at}, on both sides.
 */
@Component
final class Reconciliation {

    private final DatabaseClient db;
    private final TransactionalOperator snapshot;

    Reconciliation(DatabaseClient db, ReactiveTransactionManager transactions) {
        this.db = db;
        this.snapshot = ReadSnapshot.operator(transactions);
    }

    Mono<Report> of(UUID tenantId, OffsetDateTime from, OffsetDateTime to) {
        Mono<Totals> totals = db.sql("""
                with logged as (
                    select r.charge_micros from request_log r
                    where r.tenant_id = :tenant and r.created_at >= :from and r.created_at < :to
                      and r.charge_micros > 0
                      and exists (select 1 from tenant_plan_period p
                                  where p.tenant_id = r.tenant_id and p.plan = 'postpaid'
                                    and r.created_at >= p.started_at
                                    and (p.ended_at is null or r.created_at < p.ended_at))),
                queued as (
                    select u.charge_micros, m.status from meter_usage u left join meter_report m on m.id = u.report_id
                    where u.tenant_id = :tenant and u.created_at >= :from and u.created_at < :to)
                select (select count(*) from logged) as requests,
                       (select coalesce(sum(charge_micros), 0) from logged) as logged,
                       (select coalesce(sum(charge_micros), 0) from queued where status = 'sent') as reported,
                       (select coalesce(sum(charge_micros), 0) from queued
                        where status is null or status = 'pending') as pending""")
            .bind("tenant", tenantId)
            .bind("from", from)
            .bind("to", to)
            .map(row -> new Totals(row.get("requests", Long.class), number(row.get("logged", Number.class)),
                    number(row.get("reported", Number.class)), number(row.get("pending", Number.class))))
            .one();
        Mono<List<FailingReport>> failing = db.sql("""
                select distinct m.identifier, m.value_micros, m.attempts, m.last_error from meter_report m
                join meter_usage u on u.report_id = m.id
                where u.tenant_id = :tenant and u.created_at >= :from and u.created_at < :to
                  and m.status = 'pending' and m.last_error is not null""")
            .bind("tenant", tenantId)
            .bind("from", from)
            .bind("to", to)
            .map(row -> new FailingReport(row.get("identifier", String.class), row.get("value_micros", Long.class),
                    row.get("attempts", Integer.class), row.get("last_error", String.class)))
            .all()
            .collectList();
        // One snapshot: a report sent between two reads showed as failing in a period already reconciled.
        return Mono.zip(totals, failing).as(snapshot::transactional).map(both -> {
            Totals t = both.getT1();
            return new Report(tenantId, from, to, t.requests(), t.logged(), t.reported(), t.pending(),
                    t.logged() - t.reported() - t.pending(), t.logged() == t.reported(), both.getT2());
        });
    }

    private static long number(@Nullable Number value) {
        return value == null ? 0 : value.longValue();
    }

    private record Totals(long requests, long logged, long reported, long pending) {
    }

    /**
     * @param requestLogMicros what the request log charged the tenant while postpaid
     * @param reportedMicros what Stripe acknowledged as meter events
     * @param pendingMicros queued or being retried, not yet acknowledged
     * @param unqueuedMicros charged but never queued for Stripe; always 0 unless something is broken
     * @param reconciled whether everything charged has been reported
     */
    record Report(UUID tenantId, OffsetDateTime from, OffsetDateTime to, long requests, long requestLogMicros,
            long reportedMicros, long pendingMicros, long unqueuedMicros, boolean reconciled,
            List<FailingReport> failingReports) {
    }

    record FailingReport(String identifier, long valueMicros, int attempts, String lastError) {
    }

}
