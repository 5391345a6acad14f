package dev.tollgate.metering;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.r2dbc.spi.Connection;
import io.r2dbc.spi.ConnectionFactory;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.test.web.reactive.server.WebTestClient;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import dev.tollgate.provider.TokenUsage;
import dev.tollgate.testsupport.DashboardUser;
import dev.tollgate.testsupport.IntegrationTest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The batched writer of usage records, under a steady trickle of calls as in production. */
@IntegrationTest
class UsageWriterIntegrationTests {

    private static final int RECORDS = 400;

    @Autowired
    UsageWriter writer;

    @Autowired
    MeterRegistry registry;

    @Autowired
    DatabaseClient db;

    @Autowired
    WebTestClient client;

    @Autowired
    ConnectionFactory connections;

    @Test
    void aSteadyTrickleIsWrittenInRoundsNotOneSmallBatchAfterAnother() {
        DashboardUser user = DashboardUser.signUp(client);
        UUID keyId = UUID.fromString(user.createKeyJson(Map.of("name", "trickle")).path("id").asString());
        DistributionSummary batches = registry.get("tollgate.usage.batch.size").summary();
        long batchesBefore = batches.count();
        List<UUID> ids = new ArrayList<>();

        // One record every 2 ms for 0.8 s: four or five of the writer's 200 ms rounds. A writer that went back to the
        // queue as soon as a batch was written found a few new records there every time and wrote them at once.
        Flux.interval(Duration.ofMillis(2)).take(RECORDS)
            .doOnNext(i -> {
                UsageRecord record = record(user.tenantId(), keyId);
                ids.add(record.id());
                writer.submit(record);
            })
            .blockLast(Duration.ofSeconds(30));

        await().atMost(Duration.ofSeconds(10)).until(() -> written(ids) == RECORDS);
        long written = batches.count() - batchesBefore;
        assertThat(written).as("batches for %d records over 0.8 s", RECORDS).isBetween(1L, 15L);
    }

    @Test
    void recordsTheDatabaseRefusesAreSetAsideAndTheRestStillLand() {
        DashboardUser user = DashboardUser.signUp(client);
        UUID keyId = UUID.fromString(user.createKeyJson(Map.of("name", "poison")).path("id").asString());
        double rejectedBefore = registry.get("tollgate.usage.rejected").counter().count();
        AtomicInteger persisted = new AtomicInteger();
        UsageRecord good = record(user.tenantId(), keyId, "openai/gpt-4o-mini", new TokenUsage(10, 5, 0, 0, 0), 0,
                persisted);
        // A NUL in a client's model name and a provider's finish reason and error: PostgreSQL's text cannot hold it.
        UsageRecord withNul = new UsageRecord(GenerationIds.next(), user.tenantId(), keyId, "openai/gpt\u0000-4o",
                "openai", 502, "upstream_error", "bad\u0000answer", false, false, "st\u0000op",
                new TokenUsage(10, 5, 0, 0, 0), UsageSource.UPSTREAM, 3, 2, 1, null, null, 0, 0, null, Instant.now(),
                null, List.of(new AttemptRecord(1, "gpt\u0000-4o", "openai", 0, 502, "x\u0000", 3)), 0,
                persisted::incrementAndGet);
        // A debit for a tenant that does not exist: the ledger's foreign key refuses it (SQL state 23503).
        UsageRecord orphan = record(UUID.randomUUID(), keyId, "openai/gpt-4o-mini", new TokenUsage(10, 5, 0, 0, 0),
                1_000, persisted);
        // A count no int column holds, found while binding.
        UsageRecord beyondAnInt = record(user.tenantId(), keyId, "openai/gpt-4o-mini",
                new TokenUsage(3_000_000_000L, 5, 0, 0, 0), 0, persisted);
        List<UsageRecord> records = List.of(good, orphan, withNul, beyondAnInt);

        records.forEach(writer::submit);
        writer.flush().block(Duration.ofSeconds(30));

        await().atMost(Duration.ofSeconds(10)).until(() -> persisted.get() == records.size());
        assertThat(written(List.of(good.id(), withNul.id()))).isEqualTo(2);
        assertThat(written(List.of(orphan.id(), beyondAnInt.id()))).isZero();
        assertThat(registry.get("tollgate.usage.rejected").counter().count() - rejectedBefore).isEqualTo(2);
        assertThat(db.sql("select model || '|' || error_message || '|' || finish_reason from request_log "
                + "where id = :id")
            .bind("id", withNul.id())
            .map(row -> row.get(0, String.class))
            .one()
            .block()).isEqualTo("openai/gpt\uFFFD-4o|bad\uFFFDanswer|st\uFFFDop");
        // Nothing stays stuck behind them.
        UsageRecord after = record(user.tenantId(), keyId, "openai/gpt-4o-mini", new TokenUsage(1, 1, 0, 0, 0), 0,
                persisted);
        writer.submit(after);
        await().atMost(Duration.ofSeconds(10)).until(() -> written(List.of(after.id())) == 1);
        assertThat(writer.pending()).isZero();
    }

    /**
     * The records of a batch being written are out of the queue: a shutdown's last flush that did not wait for that
     * write found nothing to do, and a write that then failed put them back into a queue no one wrote any more.
     */
    @Test
    void aShutdownWaitsForTheBatchBeingWritten() {
        DashboardUser user = DashboardUser.signUp(client);
        UUID keyId = UUID.fromString(user.createKeyJson(Map.of("name", "shutdown")).path("id").asString());
        UsageWriter stopping = new UsageWriter(db, new SimpleMeterRegistry());
        AtomicInteger persisted = new AtomicInteger();
        UsageRecord record = record(user.tenantId(), keyId, "openai/gpt-4o-mini", new TokenUsage(10, 5, 0, 0, 0), 0,
                persisted);
        Connection locker = requestLogLocked();
        try {
            stopping.start();
            stopping.submit(record);
            await().atMost(Duration.ofSeconds(10)).until(() -> stopping.pending() == 0);

            AtomicBoolean writtenWhenStopped = new AtomicBoolean();
            CountDownLatch stopped = new CountDownLatch(1);
            stopping.stop(() -> {
                writtenWhenStopped.set(persisted.get() == 1);
                stopped.countDown();
            });
            Mono.from(locker.rollbackTransaction()).block(Duration.ofSeconds(10));

            await().atMost(Duration.ofSeconds(20)).until(() -> stopped.getCount() == 0);
            assertThat(writtenWhenStopped).as("written before the writer said it had stopped").isTrue();
            assertThat(written(List.of(record.id()))).isEqualTo(1);

            // Started again (a context paused and restarted), it writes again.
            stopping.start();
            UsageRecord afterRestart = record(user.tenantId(), keyId, "openai/gpt-4o-mini",
                    new TokenUsage(1, 1, 0, 0, 0), 0, persisted);
            stopping.submit(afterRestart);
            await().atMost(Duration.ofSeconds(10)).until(() -> written(List.of(afterRestart.id())) == 1);
            stopping.stop();
        }
        finally {
            Mono.from(locker.close()).block(Duration.ofSeconds(10));
        }
    }

    /**
     * A write that gets no answer (here: the table locked; in production, a connection gone silent) is given up after
     * the write timeout and its records queued again, instead of holding every later round back; the abandoned
     * statement landing later does not debit the call twice.
     */
    @Test
    void aWriteWithNoAnswerIsGivenUpAndItsRecordsWrittenOnceLater() {
        DashboardUser user = DashboardUser.signUp(client);
        UUID keyId = UUID.fromString(user.createKeyJson(Map.of("name", "silent")).path("id").asString());
        UsageWriter patient = new UsageWriter(db, new SimpleMeterRegistry(), Duration.ofMillis(300), UsageWriter.LAST_FLUSH);
        AtomicInteger persisted = new AtomicInteger();
        UsageRecord record = record(user.tenantId(), keyId, "openai/gpt-4o-mini", new TokenUsage(10, 5, 0, 0, 0),
                1_000, persisted);
        Connection locker = requestLogLocked();
        try {
            patient.submit(record);

            Throwable error = patient.flush().then(Mono.<Throwable>empty()).onErrorResume(Mono::just)
                .block(Duration.ofSeconds(10));
            assertThat(error).isInstanceOf(TimeoutException.class);
            assertThat(patient.pending()).as("queued again").isEqualTo(1);
            assertThat(persisted).hasValue(0);

            Mono.from(locker.rollbackTransaction()).block(Duration.ofSeconds(10));
            patient.flush().block(Duration.ofSeconds(10));
        }
        finally {
            Mono.from(locker.close()).block(Duration.ofSeconds(10));
        }
        assertThat(patient.pending()).isZero();
        assertThat(persisted).hasValue(1);
        assertThat(written(List.of(record.id()))).isEqualTo(1);
        assertThat(db.sql("select count(*) from ledger_entry where request_id = :id").bind("id", record.id())
            .map(row -> row.get(0, Long.class)).one().block()).isEqualTo(1);
    }

    /**
     * A shutdown while the database does not answer ends its last flush in time for Spring's shutdown phase (the pool
     * closes after it), and counts the batch it gave up mid-write among the records lost.
     */
    @Test
    void aShutdownWithTheDatabaseSilentEndsInTimeAndCountsWhatItLost() {
        DashboardUser user = DashboardUser.signUp(client);
        UUID keyId = UUID.fromString(user.createKeyJson(Map.of("name", "silent-stop")).path("id").asString());
        UsageWriter stopping = new UsageWriter(db, new SimpleMeterRegistry(), Duration.ofSeconds(20),
                Duration.ofSeconds(1));
        Connection locker = requestLogLocked();
        try {
            stopping.submit(record(user.tenantId(), keyId));
            CountDownLatch stopped = new CountDownLatch(1);
            long start = System.nanoTime();

            stopping.stop(stopped::countDown);

            await().atMost(Duration.ofSeconds(10)).until(() -> stopped.getCount() == 0);
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(8));
            assertThat(stopping.pending()).as("the batch given up mid-write, counted as lost").isEqualTo(1);
        }
        finally {
            Mono.from(locker.rollbackTransaction()).then(Mono.from(locker.close())).block(Duration.ofSeconds(10));
        }
    }

    /**
     * A connection holding request_log locked in a transaction: every write of usage waits for it, as on a database
     * that does not answer. Rolled back to let them through.
     */
    private Connection requestLogLocked() {
        Connection locker = Mono.from(connections.create()).block(Duration.ofSeconds(10));
        Mono.from(locker.beginTransaction())
            .then(Mono.from(locker.createStatement("lock table request_log in exclusive mode").execute())
                .flatMap(result -> Mono.from(result.getRowsUpdated())))
            .block(Duration.ofSeconds(10));
        return locker;
    }

    private long written(List<UUID> ids) {
        return db.sql("select count(*) from request_log where id = any(:ids)")
            .bind("ids", ids.toArray(UUID[]::new))
            .map(row -> row.get(0, Long.class))
            .one()
            .blockOptional()
            .orElse(0L);
    }

    private static UsageRecord record(UUID tenantId, UUID keyId, String model, TokenUsage usage, long chargeMicros,
            AtomicInteger persisted) {
        return new UsageRecord(GenerationIds.next(), tenantId, keyId, model, "openai", 200, null, null, false, false,
                "stop", usage, UsageSource.UPSTREAM, 3, 2, 1, null, null, chargeMicros, chargeMicros, null,
                Instant.now(), null, List.of(), 0, persisted::incrementAndGet);
    }

    private static UsageRecord record(UUID tenantId, UUID keyId) {
        return new UsageRecord(GenerationIds.next(), tenantId, keyId, "openai/gpt-4o-mini", "openai", 200, null, null,
                false, false, "stop", new TokenUsage(10, 5, 0, 0, 0), UsageSource.UPSTREAM, 3, 2, 1, null, null, 0,
                0, null, Instant.now(), null, List.of(), 0, () -> { });
    }

}
