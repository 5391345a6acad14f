package dev.tollgate.metering;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.test.web.reactive.server.WebTestClient;
import reactor.core.publisher.Flux;

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

    private long written(List<UUID> ids) {
        return db.sql("select count(*) from request_log where id = any(:ids)")
            .bind("ids", ids.toArray(UUID[]::new))
            .map(row -> row.get(0, Long.class))
            .one()
            .blockOptional()
            .orElse(0L);
    }

    private static UsageRecord record(UUID tenantId, UUID keyId) {
        return new UsageRecord(GenerationIds.next(), tenantId, keyId, "openai/gpt-4o-mini", "openai", 200, null, null,
                false, false, "stop", new TokenUsage(10, 5, 0, 0, 0), UsageSource.UPSTREAM, 3, 2, 1, null, null, 0,
                0, null, Instant.now(), null, List.of(), () -> { });
    }

}
