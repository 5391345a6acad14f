package dev.tollgate.billing;

import java.time.OffsetDateTime;
import java.util.UUID;
import java.util.function.Supplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;

import dev.tollgate.common.PeriodicJob;

/**
 * Reports postpaid tenants' usage to Stripe as Billing Meter events, in micro-dollars (the meter sums them; a price of
 * $0.000001 per unit invoices them at face value).
 * <p>
 * Every round, on any instance: usage queued in {@code meter_usage} (by a trigger, in the transaction that debited it)
 * is grouped per tenant and minute into {@code meter_report} rows, each with a fixed identifier made of the tenant
 * and the row id; then due reports are claimed ({@code for update skip locked}, with a lease so that a crashed
 * instance's claims come back) and sent. A report whose send failed, or whose answer was lost, is sent again with the
 * same identifier after a doubling backoff; Stripe counts an identifier once. All state is in the database, so a
 * restart resumes where it stopped.
 */
@Component
final class MeterReporter implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(MeterReporter.class);

    private static final int GROUP_LIMIT = 10_000;

    /**
     * The most groupings, and batches of sends, one round makes before leaving the rest to the next: enough to keep up
     * with a million postpaid calls and ten thousand meter events per round, without a backlog holding one round
     * forever.
     */
    private static final int MOST_STEPS_PER_ROUND = 100;

    private final DatabaseClient db;
    private final StripeApi stripe;
    private final StripeCustomers customers;
    private final StripeProperties properties;
    private final PeriodicJob job;

    MeterReporter(DatabaseClient db, StripeApi stripe, StripeCustomers customers, StripeProperties properties) {
        this.db = db;
        this.stripe = stripe;
        this.customers = customers;
        this.properties = properties;
        this.job = new PeriodicJob("Meter reporting round", properties.meter().reportInterval(), this::reportNow);
    }

    /**
     * One round: groups queued usage into reports, then sends the reports that are due, each step again while it
     * found a full load. A round of one grouping and one batch of sends used to cap an instance at 1,000 postpaid calls
     * and 10 meter events a second, and a backlog beyond that grew without end.
     */
    Mono<Void> reportNow() {
        return again(this::group, GROUP_LIMIT).then(again(this::sendDue, properties.meter().batchSize()));
    }

    /** The step, repeated while it handled a full load, at most {@link #MOST_STEPS_PER_ROUND} times. */
    private static Mono<Void> again(Supplier<Mono<Long>> step, long fullLoad) {
        return step.get().expand(handled -> handled >= fullLoad ? step.get() : Mono.empty())
            .take(MOST_STEPS_PER_ROUND)
            .then();
    }

    /**
     * Groups unreported usage into reports, in one statement: a usage row joins exactly one report.
     * @return how many usage rows were grouped
     */
    Mono<Long> group() {
        return db.sql("""
                with picked as (
                    select request_id, tenant_id, charge_micros, created_at from meter_usage
                    where report_id is null order by created_at limit :limit for update skip locked),
                grouped as (
                    select nextval('meter_report_id_seq') as id, tenant_id, bucket, total, last_at
                    from (select tenant_id, date_trunc('minute', created_at) as bucket,
                                 sum(charge_micros) as total, max(created_at) as last_at
                          from picked group by tenant_id, date_trunc('minute', created_at)) g),
                reports as (
                    insert into meter_report (id, tenant_id, identifier, value_micros, event_time)
                    select id, tenant_id, 'tollgate-' || tenant_id || '-' || id, total, last_at from grouped
                    returning id),
                assigned as (
                    update meter_usage u set report_id = g.id
                    from picked p join grouped g
                        on g.tenant_id = p.tenant_id and g.bucket = date_trunc('minute', p.created_at)
                    where u.request_id = p.request_id
                    returning u.request_id)
                select (select count(*) from reports) as reports, (select count(*) from assigned) as requests""")
            .bind("limit", GROUP_LIMIT)
            .map(row -> row.get("requests", Long.class))
            .one();
    }

    /** Claims a batch of due reports and sends them; how many were claimed (a failed send is due later). */
    private Mono<Long> sendDue() {
        long claimMillis = properties.readTimeout().toMillis() * (properties.maxNetworkRetries() + 1) + 60_000;
        return db.sql("""
                update meter_report r set attempts = r.attempts + 1,
                    next_attempt_at = now() + :claim * interval '1 millisecond'
                from (select id from meter_report where status = 'pending' and next_attempt_at <= now()
                      order by id limit :batch for update skip locked) due
                where r.id = due.id
                returning r.id, r.tenant_id, r.identifier, r.value_micros, r.event_time, r.attempts""")
            .bind("claim", claimMillis)
            .bind("batch", properties.meter().batchSize())
            .map(row -> new Report(row.get("id", Long.class), row.get("tenant_id", UUID.class),
                    row.get("identifier", String.class), row.get("value_micros", Long.class),
                    row.get("event_time", OffsetDateTime.class), row.get("attempts", Integer.class)))
            .all()
            .flatMap(report -> send(report).thenReturn(1L), 4)
            .count();
    }

    private Mono<Void> send(Report report) {
        return customers.customerFor(report.tenantId())
            .flatMap(customer -> stripe.sendMeterEvent(properties.meter().eventName(), customer,
                    report.valueMicros(), report.identifier(), report.eventTime().toEpochSecond()))
            .then(db.sql("""
                    update meter_report set status = 'sent', sent_at = now(), last_error = null
                    where id = :id""")
                .bind("id", report.id())
                .then())
            .onErrorResume(error -> {
                long backoff = Math.min(properties.meter().retryBackoff().toMillis()
                        * (1L << Math.min(report.attempts() - 1, 20)), properties.meter().maxBackoff().toMillis());
                log.warn("Meter event {} ({} micros) not sent (attempt {}), retrying in {} ms: {}",
                        report.identifier(), report.valueMicros(), report.attempts(), backoff,
                        StripeApi.message(error));
                return db.sql("""
                        update meter_report set last_error = :error,
                            next_attempt_at = now() + :backoff * interval '1 millisecond'
                        where id = :id and status = 'pending'""")
                    .bind("error", StripeApi.message(error))
                    .bind("backoff", backoff)
                    .bind("id", report.id())
                    .then();
            });
    }

    @Override
    public void start() {
        if (stripe.enabled()) {
            job.start();
        }
    }

    @Override
    public void stop() {
        job.stop();
    }

    @Override
    public boolean isRunning() {
        return job.isRunning();
    }

    private record Report(long id, UUID tenantId, String identifier, long valueMicros, OffsetDateTime eventTime,
            int attempts) {
    }

}
