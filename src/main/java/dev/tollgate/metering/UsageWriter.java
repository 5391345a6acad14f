package dev.tollgate.metering;

import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.r2dbc.spi.R2dbcException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Component;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import reactor.util.retry.Retry;

import dev.tollgate.common.PostgresText;

/**
 * Writes usage records in batches, off the response path: a request hands its record over and is done; a background
 * loop writes whatever has queued up every {@value #FLUSH_MILLIS} ms (sooner when a batch fills). What arrives while a
 * batch is being written waits for the next round: chasing it at once would write a small batch after every batch,
 * all the time under steady traffic, and a batch costs about the same whatever its size.
 * <p>
 * One statement per batch writes the request-log rows and their provider attempts, the usage debits on the ledger,
 * the tenants' balances, the credit leases the charges came from and the keys' spend: all of it lands or none of it
 * does. It is idempotent on the request id, so a batch whose outcome was unknown can be written again. A batch that
 * failed because the database was away stays queued and is retried; one whose data it refused is halved until the
 * records it refuses are found and set aside ({@link #writeOrIsolate}). On shutdown (after the web server has
 * drained) everything queued is written before the database pool closes; only a crash loses what is queued, at most
 * about one flush interval of requests.
 * <p>
 * This is the one place where metering writes the credits feature's tables, so that a request's log row and its
 * debit can never disagree.
 */
@Component
class UsageWriter implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(UsageWriter.class);

    static final int FLUSH_MILLIS = 200;

    private static final int BATCH_SIZE = 1000;

    private static final int SHUTDOWN_ATTEMPTS = 15;

    private static final String WRITE = """
            with input as (
                select * from unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::text[], $5::text[], $6::int[],
                    $7::text[], $8::text[], $9::bool[], $10::bool[], $11::text[], $12::int[], $13::int[], $14::int[],
                    $15::int[], $16::int[], $17::text[], $18::int[], $19::int[], $20::int[], $21::bigint[],
                    $22::bigint[], $23::bigint[], $24::bigint[], $25::uuid[], $26::timestamptz[], $35::text[])
                as t(id, tenant_id, api_key_id, model, provider, status, error_code, error_message, streamed,
                    cancelled, finish_reason, prompt_tokens, completion_tokens, cached_tokens, cache_write_tokens,
                    reasoning_tokens, usage_source, latency_ms, ttfb_ms, generation_ms, price_id, markup_ppm,
                    cost_micros, charge_micros, lease_id, created_at, trace_id)),
            logged as (
                insert into request_log (id, tenant_id, api_key_id, model, provider, status, error_code,
                    error_message, streamed, cancelled, finish_reason, prompt_tokens, completion_tokens,
                    cached_tokens, cache_write_tokens, reasoning_tokens, usage_source, latency_ms, ttfb_ms,
                    generation_ms, price_id, markup_ppm, cost_micros, charge_micros, created_at, trace_id)
                select id, tenant_id, api_key_id, model, provider, status, error_code, error_message, streamed,
                    cancelled, finish_reason, prompt_tokens, completion_tokens, cached_tokens, cache_write_tokens,
                    reasoning_tokens, usage_source, latency_ms, ttfb_ms, generation_ms, price_id, markup_ppm,
                    cost_micros, charge_micros, created_at, trace_id
                from input
                on conflict (id) do nothing
                returning id),
            charged as (
                insert into ledger_entry (tenant_id, kind, amount_micros, request_id, created_at)
                select i.tenant_id, 'usage', -i.charge_micros, i.id, i.created_at
                from input i join logged l on l.id = i.id
                where i.charge_micros > 0
                on conflict (request_id) do nothing
                returning tenant_id, request_id, -amount_micros as charge),
            per_tenant as (select tenant_id, sum(charge) as total from charged group by tenant_id),
            balances as (
                update credit_balance b
                set balance_micros = b.balance_micros - p.total, used_micros = b.used_micros + p.total,
                    updated_at = now()
                from per_tenant p where b.tenant_id = p.tenant_id
                returning b.tenant_id),
            per_lease as (
                select i.lease_id, sum(c.charge) as total from charged c join input i on i.id = c.request_id
                where i.lease_id is not null group by i.lease_id),
            leases as (
                update credit_lease l set amount_micros = l.amount_micros - p.total
                from per_lease p where l.id = p.lease_id
                returning l.id),
            per_key as (
                select i.api_key_id, i.tenant_id, sum(c.charge) as total
                from charged c join input i on i.id = c.request_id
                group by i.api_key_id, i.tenant_id),
            keys as (
                insert into key_spend (api_key_id, tenant_id, used_micros)
                select api_key_id, tenant_id, total from per_key
                on conflict (api_key_id) do update set used_micros = key_spend.used_micros + excluded.used_micros
                returning api_key_id),
            attempts as (
                insert into request_attempt (request_id, attempt, model, provider, key_index, status, error_code,
                    latency_ms)
                select * from unnest($27::uuid[], $28::int[], $29::text[], $30::text[], $31::int[], $32::int[],
                    $33::text[], $34::int[])
                on conflict do nothing
                returning request_id)
            select (select count(*) from logged) as logged, (select count(*) from balances) as balances""";

    private final DatabaseClient db;
    private final ConcurrentLinkedQueue<UsageRecord> queue = new ConcurrentLinkedQueue<>();
    private final AtomicInteger queued = new AtomicInteger();
    private final AtomicBoolean flushing = new AtomicBoolean();
    private final DistributionSummary batches;
    private final Counter rejected;
    private volatile Disposable ticker = Flux.never().subscribe();
    private volatile boolean running;

    UsageWriter(DatabaseClient db, MeterRegistry registry) {
        this.db = db;
        this.rejected = Counter.builder("tollgate.usage.rejected")
            .description("Usage records the database refused and that were set aside unwritten (logged at error)")
            .register(registry);
        Gauge.builder("tollgate.usage.pending", queued, AtomicInteger::get)
            .description("Usage records waiting to be written (what a crash now would lose)")
            .register(registry);
        this.batches = DistributionSummary.builder("tollgate.usage.batch.size")
            .description("Usage records written per batch (one statement and transaction each)")
            .register(registry);
    }

    void submit(UsageRecord record) {
        queue.add(record);
        if (queued.incrementAndGet() >= BATCH_SIZE) {
            flushInBackground();
        }
    }

    /**
     * Writes everything queued so far, in batches of at most {@value #BATCH_SIZE}; completes when it is in the
     * database. Records handed over meanwhile are left for the next round.
     */
    Mono<Void> flush() {
        return Mono.defer(() -> flush(queued.get()));
    }

    private Mono<Void> flush(int remaining) {
        if (remaining <= 0 || queue.isEmpty()) {
            return Mono.empty();
        }
        List<UsageRecord> batch = new ArrayList<>(Math.min(remaining, BATCH_SIZE));
        UsageRecord next;
        while (batch.size() < BATCH_SIZE && (next = queue.poll()) != null) {
            batch.add(next);
        }
        queued.addAndGet(-batch.size());
        return writeOrIsolate(batch)
            .doOnSuccess(done -> {
                batches.record(batch.size());
                batch.forEach(UsageWriter::notifyPersisted);
            })
            .onErrorResume(error -> {
                log.warn("Could not write {} usage records, will retry: {}", batch.size(), error.toString());
                queue.addAll(batch);
                queued.addAndGet(batch.size());
                return Mono.error(error);
            })
            .then(Mono.defer(() -> flush(remaining - batch.size())));
    }

    /**
     * Writes the records, or, when the database refuses their data (an error of SQL class 22 or 23, or a value no
     * column takes), writes them in halves until the records it refuses are found alone and set aside. A batch used
     * to be retried whole, so one record the database would never take (a text with a NUL character in it, say) kept
     * every record queued with it, and every one after it, from being written: no request log, no debits, a queue
     * growing until a restart lost it. Halving costs about twice the log of the batch's size in statements, only when
     * a batch is refused; writing a record again is harmless (the statement is idempotent on the request id).
     */
    private Mono<Void> writeOrIsolate(List<UsageRecord> records) {
        return write(records).onErrorResume(UsageWriter::refusesData, error -> {
            if (records.size() == 1) {
                setAside(records.get(0), error);
                return Mono.empty();
            }
            int half = records.size() / 2;
            return writeOrIsolate(records.subList(0, half))
                .then(Mono.defer(() -> writeOrIsolate(records.subList(half, records.size()))));
        });
    }

    /**
     * A record the database will never take: left out, loudly. Its charge is not debited (an operator can add it by
     * hand from this log line); it is reported persisted with the rest of its batch all the same, so that the credit
     * it held is not reserved forever.
     */
    private void setAside(UsageRecord record, Throwable error) {
        rejected.increment();
        log.error("Usage record {} set aside, the database refuses it: tenant {}, key {}, model '{}', charge {} "
                + "micro-USD not debited: {}", record.id(), record.tenantId(), record.apiKeyId(), record.model(),
                record.chargeMicros(), error.toString());
    }

    /** Whether writing failed for the data written (so would again), rather than for the database being away. */
    static boolean refusesData(Throwable error) {
        for (Throwable cause = error; cause != null; cause = cause.getCause()) {
            if (cause instanceof UnwritableRecords) {
                return true;
            }
            if (cause instanceof R2dbcException database) {
                String state = database.getSqlState();
                return state != null && (state.startsWith("22") || state.startsWith("23"));
            }
        }
        return false;
    }

    /** A value the statement's columns cannot take, found while binding them. */
    private static final class UnwritableRecords extends RuntimeException {

        UnwritableRecords(RuntimeException cause) {
            super(cause.toString(), cause);
        }
    }

    int pending() {
        return queued.get();
    }

    private static void notifyPersisted(UsageRecord record) {
        try {
            record.persisted().run();
        }
        catch (RuntimeException ex) {
            log.warn("A usage record's persistence callback failed", ex);
        }
    }

    private void flushInBackground() {
        if (flushing.compareAndSet(false, true)) {
            flush().doFinally(signal -> flushing.set(false)).subscribe(done -> { }, error -> { });
        }
    }

    private Mono<Void> write(List<UsageRecord> batch) {
        int n = batch.size();
        Columns c = new Columns(n, batch.stream().mapToInt(record -> record.attempts().size()).sum());
        try {
            for (int i = 0, a = 0; i < n; i++) {
                c.set(i, batch.get(i));
                for (AttemptRecord attempt : batch.get(i).attempts()) {
                    c.setAttempt(a++, batch.get(i).id(), attempt);
                }
            }
        }
        catch (RuntimeException unwritable) {
            // A count beyond an int column, say: thrown here, it escaped the retry and dropped the whole batch.
            return Mono.error(new UnwritableRecords(unwritable));
        }
        return db.sql(WRITE)
            .bind(0, c.ids).bind(1, c.tenants).bind(2, c.keys).bind(3, c.models).bind(4, c.providers)
            .bind(5, c.statuses).bind(6, c.errorCodes).bind(7, c.errorMessages).bind(8, c.streamed)
            .bind(9, c.cancelled).bind(10, c.finishReasons).bind(11, c.prompt).bind(12, c.completion)
            .bind(13, c.cached).bind(14, c.cacheWrite).bind(15, c.reasoning).bind(16, c.sources)
            .bind(17, c.latency).bind(18, c.ttfb).bind(19, c.generation).bind(20, c.priceIds).bind(21, c.markups)
            .bind(22, c.costs).bind(23, c.charges).bind(24, c.leases).bind(25, c.created)
            .bind(26, c.attemptRequests).bind(27, c.attemptNumbers).bind(28, c.attemptModels)
            .bind(29, c.attemptProviders).bind(30, c.attemptKeys).bind(31, c.attemptStatuses)
            .bind(32, c.attemptErrors).bind(33, c.attemptLatencies).bind(34, c.traceIds)
            .then();
    }

    @Override
    public void start() {
        ticker = Flux.interval(Duration.ofMillis(FLUSH_MILLIS), Schedulers.parallel())
            .onBackpressureDrop()
            .subscribe(tick -> flushInBackground());
        running = true;
    }

    @Override
    public void stop(Runnable callback) {
        ticker.dispose();
        running = false;
        // Keeps trying for about as long as Spring waits for this phase (spring.lifecycle.timeout-per-shutdown-phase).
        flush().retryWhen(Retry.backoff(SHUTDOWN_ATTEMPTS, Duration.ofMillis(100)).maxBackoff(Duration.ofSeconds(2)))
            .doFinally(signal -> callback.run())
            .subscribe(done -> { }, error -> log.error("{} usage records lost at shutdown", pending()));
    }

    @Override
    public void stop() {
        stop(() -> { });
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    /** Stops after the web server (which drains requests in flight), before leases are given back and the pool closes. */
    @Override
    public int getPhase() {
        return 0;
    }

    /** The batch as one array per column, bound as PostgreSQL arrays and unnested into rows. */
    private static final class Columns {

        final UUID[] ids;
        final UUID[] tenants;
        final UUID[] keys;
        final String[] models;
        final String[] providers;
        final Integer[] statuses;
        final String[] errorCodes;
        final String[] errorMessages;
        final Boolean[] streamed;
        final Boolean[] cancelled;
        final String[] finishReasons;
        final Integer[] prompt;
        final Integer[] completion;
        final Integer[] cached;
        final Integer[] cacheWrite;
        final Integer[] reasoning;
        final String[] sources;
        final Integer[] latency;
        final Integer[] ttfb;
        final Integer[] generation;
        final Long[] priceIds;
        final Long[] markups;
        final Long[] costs;
        final Long[] charges;
        final UUID[] leases;
        final OffsetDateTime[] created;
        final String[] traceIds;
        final UUID[] attemptRequests;
        final Integer[] attemptNumbers;
        final String[] attemptModels;
        final String[] attemptProviders;
        final Integer[] attemptKeys;
        final Integer[] attemptStatuses;
        final String[] attemptErrors;
        final Integer[] attemptLatencies;

        Columns(int n, int attempts) {
            ids = new UUID[n];
            tenants = new UUID[n];
            keys = new UUID[n];
            models = new String[n];
            providers = new String[n];
            statuses = new Integer[n];
            errorCodes = new String[n];
            errorMessages = new String[n];
            streamed = new Boolean[n];
            cancelled = new Boolean[n];
            finishReasons = new String[n];
            prompt = new Integer[n];
            completion = new Integer[n];
            cached = new Integer[n];
            cacheWrite = new Integer[n];
            reasoning = new Integer[n];
            sources = new String[n];
            latency = new Integer[n];
            ttfb = new Integer[n];
            generation = new Integer[n];
            priceIds = new Long[n];
            markups = new Long[n];
            costs = new Long[n];
            charges = new Long[n];
            leases = new UUID[n];
            created = new OffsetDateTime[n];
            traceIds = new String[n];
            attemptRequests = new UUID[attempts];
            attemptNumbers = new Integer[attempts];
            attemptModels = new String[attempts];
            attemptProviders = new String[attempts];
            attemptKeys = new Integer[attempts];
            attemptStatuses = new Integer[attempts];
            attemptErrors = new String[attempts];
            attemptLatencies = new Integer[attempts];
        }

        void setAttempt(int i, UUID request, AttemptRecord attempt) {
            attemptRequests[i] = request;
            attemptNumbers[i] = attempt.number();
            attemptModels[i] = PostgresText.storable(attempt.model());
            attemptProviders[i] = PostgresText.storable(attempt.provider());
            attemptKeys[i] = attempt.keyIndex();
            attemptStatuses[i] = attempt.status();
            attemptErrors[i] = PostgresText.storable(attempt.errorCode());
            attemptLatencies[i] = attempt.latencyMillis();
        }

        void set(int i, UsageRecord r) {
            ids[i] = r.id();
            tenants[i] = r.tenantId();
            keys[i] = r.apiKeyId();
            models[i] = PostgresText.storable(r.model());
            providers[i] = PostgresText.storable(r.provider());
            statuses[i] = r.status();
            errorCodes[i] = PostgresText.storable(r.errorCode());
            errorMessages[i] = PostgresText.storable(r.errorMessage());
            streamed[i] = r.streamed();
            cancelled[i] = r.cancelled();
            finishReasons[i] = PostgresText.storable(r.finishReason());
            boolean counted = r.usageSource() != UsageSource.NONE;
            prompt[i] = counted ? Math.toIntExact(r.usage().promptTokens()) : null;
            completion[i] = counted ? Math.toIntExact(r.usage().completionTokens()) : null;
            cached[i] = counted ? Math.toIntExact(r.usage().cachedTokens()) : null;
            cacheWrite[i] = counted ? Math.toIntExact(r.usage().cacheWriteTokens()) : null;
            reasoning[i] = counted ? Math.toIntExact(r.usage().reasoningTokens()) : null;
            sources[i] = r.usageSource().column();
            latency[i] = r.latencyMillis();
            ttfb[i] = r.ttfbMillis();
            generation[i] = r.generationMillis();
            priceIds[i] = r.priceId();
            markups[i] = r.markupPpm();
            costs[i] = r.costMicros();
            charges[i] = r.chargeMicros();
            leases[i] = r.leaseId();
            created[i] = r.createdAt().atOffset(ZoneOffset.UTC);
            traceIds[i] = PostgresText.storable(r.traceId());
        }

    }

}
