package dev.tollgate.metering;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
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
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.SmartLifecycle;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Component;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import reactor.util.retry.Retry;

/**
 * Writes usage records in batches, off the response path: a request hands its record over and is done; a background
 * loop writes whatever has queued up every {@value #FLUSH_MILLIS} ms (sooner when a batch fills). What arrives while a
 * batch is being written waits for the next round: chasing it at once would write a small batch after every batch,
 * all the time under steady traffic, and a batch costs about the same whatever its size.
 * <p>
 * One statement per batch ({@link UsageBatchStatement}) writes everything a batch changes: all of it lands or none of
 * it does. It is idempotent on the request id, so a batch whose outcome was unknown can be written again. A batch that
 * failed because the database was away stays queued and is retried; one whose data it refused is halved until the
 * records it refuses are found and set aside ({@link #writeOrIsolate}). On shutdown (after the web server has
 * drained) everything queued is written before the database pool closes; a crash loses what is queued (about one
 * flush interval of requests, everything since the database went away during an outage).
 * <p>
 * This is the one place where metering writes the credits feature's tables, so that a request's log row and its
 * debit can never disagree.
 */
@Component
class UsageWriter implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(UsageWriter.class);

    static final int FLUSH_MILLIS = 200;

    private static final int BATCH_SIZE = 1000;

    /** With backoff from 100 ms to 2 s, about 13 s of tries: with the waits below, within Spring's 30 s a phase. */
    private static final int SHUTDOWN_ATTEMPTS = 10;

    /**
     * The last flush's tries end here, however long each write waits: with the waits for records being prepared and
     * for a batch being written, 28 s, inside Spring's 30 s a phase, before the pool closes.
     */
    static final Duration LAST_FLUSH = Duration.ofSeconds(16);

    /** A write of the last flush with no answer for this long is tried again while the flush has time. */
    private static final Duration SHUTDOWN_WRITE_TIMEOUT = Duration.ofSeconds(5);

    private static final int PREPARATION_WAIT_SECONDS = 8;

    private static final int IN_FLIGHT_WAIT_SECONDS = 4;

    /**
     * How long one batch's statement may take before it is given up and its records queued again. A batch takes
     * milliseconds, seconds on a database under strain; a write with no answer at all is a connection that went silent
     * without being reset (a failover leaving the old socket open), and waiting on it held every later round back,
     * {@link #flushing} claimed for good, while records piled up in memory. Writing again is harmless: the statement
     * is idempotent on the request id, should the abandoned one commit after all.
     */
    static final Duration WRITE_TIMEOUT = Duration.ofSeconds(20);

    private final DatabaseClient db;
    private final Duration writeTimeout;
    private final Duration lastFlush;
    /** The write timeout now: {@link #writeTimeout}, and shorter once the writer is stopping. */
    private volatile Duration currentWriteTimeout;
    private final ConcurrentLinkedQueue<UsageRecord> queue = new ConcurrentLinkedQueue<>();
    private final AtomicInteger queued = new AtomicInteger();
    /** Records still being prepared off the event loops ({@link #submitWhenPrepared}); a shutdown waits for them. */
    private final AtomicInteger preparing = new AtomicInteger();
    private final AtomicBoolean flushing = new AtomicBoolean();
    private final DistributionSummary batches;
    private final Counter rejected;
    private volatile Disposable ticker = Flux.never().subscribe();
    private volatile boolean running;
    /** Set once the last flush at shutdown is over: what comes after it is not written. */
    private volatile boolean stopped;

    @Autowired
    UsageWriter(DatabaseClient db, MeterRegistry registry) {
        this(db, registry, WRITE_TIMEOUT, LAST_FLUSH);
    }

    UsageWriter(DatabaseClient db, MeterRegistry registry, Duration writeTimeout, Duration lastFlush) {
        this.db = db;
        this.writeTimeout = writeTimeout;
        this.lastFlush = lastFlush;
        this.currentWriteTimeout = writeTimeout;
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
        if (stopped) {
            log.error("Usage record {} came after the last flush at shutdown and is lost: tenant {}, charge {} micros",
                    record.id(), record.tenantId(), record.chargeMicros());
        }
        queue.add(record);
        if (queued.incrementAndGet() >= BATCH_SIZE) {
            flushInBackground();
        }
    }

    /**
     * Hands over a record whose preparation is too slow for an event loop (counting a prompt of hundreds of KB with
     * the tokenizer takes tens of ms): queued once prepared, like any other. A shutdown waits for preparations in
     * flight before its last flush.
     */
    void submitWhenPrepared(Mono<UsageRecord> preparation) {
        preparing.incrementAndGet();
        preparation.doFinally(signal -> preparing.decrementAndGet())
            .subscribe(this::submit, error -> log.error("A usage record could not be prepared and is lost", error));
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
            // The last flush given up mid-write (its time at shutdown over): counted among the records lost.
            .doOnCancel(() -> {
                queue.addAll(batch);
                queued.addAndGet(batch.size());
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
        return queued.get() + preparing.get();
    }

    /**
     * Completes once no record is being prepared. They take milliseconds each, but a shutdown cuts every stream still
     * open at once, and each cut stream is counted: given up after {@value #PREPARATION_WAIT_SECONDS} s, loudly, so
     * that the last flush's tries still fit in Spring's default 30 s a shutdown phase.
     */
    private Mono<Void> preparationsDone() {
        return Flux.interval(Duration.ZERO, Duration.ofMillis(5))
            .filter(tick -> preparing.get() == 0)
            .next()
            .timeout(Duration.ofSeconds(PREPARATION_WAIT_SECONDS), Mono.fromRunnable(() -> log.error(
                    "{} usage records still being counted at shutdown are lost", preparing.get())))
            .then();
    }

    /**
     * Completes once no background flush is writing, and keeps any from starting again. The records of one in flight
     * are out of the queue: the last flush would find nothing, and had the write failed after it, they would have
     * gone back to a queue no one writes any more. Given up after {@value #IN_FLIGHT_WAIT_SECONDS} s, loudly.
     */
    private Mono<Void> backgroundFlushOver() {
        return Flux.interval(Duration.ZERO, Duration.ofMillis(5))
            .filter(tick -> flushing.compareAndSet(false, true))
            .next()
            .timeout(Duration.ofSeconds(IN_FLIGHT_WAIT_SECONDS), Mono.fromRunnable(() -> log.error(
                    "A batch of usage records was still being written at shutdown; the last flush does not wait")))
            .then();
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
        UsageBatchStatement statement;
        try {
            statement = UsageBatchStatement.of(batch);
        }
        catch (RuntimeException unwritable) {
            // A count beyond an int column, say: thrown here, it escaped the retry and dropped the whole batch.
            return Mono.error(new UnwritableRecords(unwritable));
        }
        return statement.bindTo(db).then().timeout(currentWriteTimeout);
    }

    @Override
    public void start() {
        // A context paused and restarted starts again where the last stop left the writer: flushing claimed for good.
        stopped = false;
        flushing.set(false);
        currentWriteTimeout = writeTimeout;
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
        preparationsDone()
            .then(backgroundFlushOver())
            .then(Mono.fromRunnable(() -> currentWriteTimeout = min(writeTimeout, SHUTDOWN_WRITE_TIMEOUT)))
            .then(flush().retryWhen(Retry.backoff(SHUTDOWN_ATTEMPTS, Duration.ofMillis(100))
                .maxBackoff(Duration.ofSeconds(2))).timeout(lastFlush))
            .doFinally(signal -> {
                stopped = true;
                callback.run();
            })
            .subscribe(done -> { }, error -> log.error("{} usage records lost at shutdown", pending()));
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    @Override
    public void stop() {
        stop(() -> { });
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    /**
     * Stops after the web server (which drains requests in flight), before leases are given back and the pool closes.
     */
    @Override
    public int getPhase() {
        return 0;
    }

}
