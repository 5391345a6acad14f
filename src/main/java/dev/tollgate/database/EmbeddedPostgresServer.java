package dev.tollgate.database;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;

/**
 * A real PostgreSQL server started from the jar, whose data directory survives restarts. Used only when no external
 * database is configured, so that a fresh clone runs with nothing but a JDK.
 */
final class EmbeddedPostgresServer implements DisposableBean {

    private static final Logger log = LoggerFactory.getLogger(EmbeddedPostgresServer.class);

    private final EmbeddedPostgres postgres;

    EmbeddedPostgresServer(Path dataDir, int port) {
        Path pgData = dataDir.resolve("pgdata").toAbsolutePath();
        try {
            Files.createDirectories(pgData);
            EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder()
                .setDataDirectory(pgData)
                .setCleanDataDirectory(false)
                .setPGStartupWait(Duration.ofSeconds(60))
                .setServerConfig("max_connections", "100")
                // Stopped by Spring (destroy, below), after the shutdown phases that still write: the usage writer's
                // last batch and the credit leases given back. Its own JVM shutdown hook would stop it at once on
                // SIGTERM, beside Spring's, and those writes would fail.
                .setRegisterShutdownHook(false);
            if (port > 0) {
                builder.setPort(port);
            }
            this.postgres = builder.start();
        }
        catch (IOException ex) {
            throw new UncheckedIOException("Could not start the embedded PostgreSQL in " + pgData, ex);
        }
        log.info("Embedded PostgreSQL listening on 127.0.0.1:{} with data in {}", postgres.getPort(), pgData);
    }

    int port() {
        return postgres.getPort();
    }

    @Override
    public void destroy() throws IOException {
        postgres.close();
    }

}
