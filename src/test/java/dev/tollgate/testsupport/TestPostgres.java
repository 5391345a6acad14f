package dev.tollgate.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

import io.r2dbc.spi.ConnectionFactories;
import io.r2dbc.spi.ConnectionFactoryOptions;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.springframework.r2dbc.core.DatabaseClient;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.postgresql.PostgreSQLContainer;

/**
 * The one PostgreSQL every integration test in this JVM talks to: a Testcontainers PostgreSQL where Docker runs,
 * otherwise an embedded PostgreSQL (a real server started from the zonky binaries) in a fresh temporary folder.
 * Started once, on first use, and stopped when the JVM exits.
 */
public final class TestPostgres {

    private static volatile TestPostgres instance;

    private final String host;
    private final int port;
    private final String database;
    private final String user;
    private final String password;

    private TestPostgres(String host, int port, String database, String user, String password) {
        this.host = host;
        this.port = port;
        this.database = database;
        this.user = user;
        this.password = password;
    }

    public static TestPostgres get() {
        if (instance == null) {
            synchronized (TestPostgres.class) {
                if (instance == null) {
                    instance = dockerAvailable() ? startContainer() : startEmbedded();
                }
            }
        }
        return instance;
    }

    public String r2dbcUrl() {
        return "r2dbc:postgresql://" + host + ":" + port + "/" + database;
    }

    public String jdbcUrl() {
        return "jdbc:postgresql://" + host + ":" + port + "/" + database;
    }

    /** A client of its own on the test database, for tests whose application has already stopped. */
    public DatabaseClient databaseClient() {
        return DatabaseClient.create(ConnectionFactories.get(ConnectionFactoryOptions.parse(r2dbcUrl()).mutate()
            .option(ConnectionFactoryOptions.USER, user)
            .option(ConnectionFactoryOptions.PASSWORD, password)
            .build()));
    }

    public String user() {
        return user;
    }

    public String password() {
        return password;
    }

    private static boolean dockerAvailable() {
        if (Boolean.getBoolean("tollgate.test.embedded-postgres")) {
            return false;
        }
        // Asking Testcontainers on a machine without Docker logs a loud error; look for an engine first.
        if (System.getenv("DOCKER_HOST") == null && !Files.exists(Path.of("/var/run/docker.sock"))) {
            return false;
        }
        try {
            return DockerClientFactory.instance().isDockerAvailable();
        }
        catch (RuntimeException ex) {
            return false;
        }
    }

    @SuppressWarnings("resource")
    private static TestPostgres startContainer() {
        PostgreSQLContainer container = new PostgreSQLContainer("postgres:17-alpine");
        container.start();
        Runtime.getRuntime().addShutdownHook(new Thread(container::stop));
        return new TestPostgres(container.getHost(), container.getMappedPort(5432), container.getDatabaseName(),
                container.getUsername(), container.getPassword());
    }

    private static TestPostgres startEmbedded() {
        try {
            Path dir = Files.createTempDirectory("tollgate-test-pg");
            EmbeddedPostgres postgres = EmbeddedPostgres.builder()
                .setDataDirectory(dir)
                .setCleanDataDirectory(true)
                .setServerConfig("max_connections", "300")
                .setServerConfig("fsync", "off")
                .setServerConfig("synchronous_commit", "off")
                .start();
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try {
                    postgres.close();
                }
                catch (IOException ignored) {
                    // the JVM is exiting
                }
            }));
            return new TestPostgres("127.0.0.1", postgres.getPort(), "postgres", "postgres", "");
        }
        catch (IOException ex) {
            throw new UncheckedIOException("Could not start the embedded PostgreSQL for tests", ex);
        }
    }

}
