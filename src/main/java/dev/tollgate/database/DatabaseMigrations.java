package dev.tollgate.database;

import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.output.MigrateResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies the SQL migrations in {@code db/migrations/} at startup, before any reactive code reads the schema.
 * Flyway takes a PostgreSQL advisory lock, so several replicas starting at once migrate exactly once.
 * Runs on the startup thread: blocking JDBC is fine there and never reaches an event loop.
 */
public final class DatabaseMigrations {

    private static final Logger log = LoggerFactory.getLogger(DatabaseMigrations.class);

    private final JdbcUrl jdbc;

    DatabaseMigrations(JdbcUrl jdbc) {
        this.jdbc = jdbc;
    }

    void migrate() {
        Flyway flyway = Flyway.configure()
            .dataSource(jdbc.url(), jdbc.user(), jdbc.password())
            .locations("classpath:db/migrations")
            .connectRetries(10)
            .load();
        MigrateResult result = flyway.migrate();
        log.info("Database schema at version {} ({} migrations applied now)", result.targetSchemaVersion,
                result.migrationsExecuted);
    }

}
