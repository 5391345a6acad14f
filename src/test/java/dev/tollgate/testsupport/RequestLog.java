package dev.tollgate.testsupport;

import java.time.Duration;
import java.util.Map;
import java.util.UUID;

import org.springframework.r2dbc.core.DatabaseClient;

import static org.awaitility.Awaitility.await;

/** Reads request-log rows in tests, waiting for the batched writer to have written them. */
public final class RequestLog {

    private final DatabaseClient db;

    public RequestLog(DatabaseClient db) {
        this.db = db;
    }

    /** The row of a generation id ({@code gen-…}), waiting up to ten seconds for it to be written. */
    public Map<String, Object> row(String generationId) {
        UUID id = uuidOf(generationId);
        return await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50))
            .until(() -> db.sql("select * from request_log where id = :id").bind("id", id).fetch().one()
                .blockOptional(), java.util.Optional::isPresent)
            .orElseThrow();
    }

    public static UUID uuidOf(String generationId) {
        String hex = generationId.substring("gen-".length());
        return new UUID(Long.parseUnsignedLong(hex.substring(0, 16), 16), Long.parseUnsignedLong(hex.substring(16), 16));
    }

}
