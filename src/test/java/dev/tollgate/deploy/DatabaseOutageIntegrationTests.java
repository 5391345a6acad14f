package dev.tollgate.deploy;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.support.GenericApplicationContext;
import org.springframework.http.client.ReactorResourceFactory;

import dev.tollgate.TollgateApplication;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Readiness follows PostgreSQL and liveness does not. Runs its own Tollgate on its own embedded PostgreSQL (not the
 * shared test database, which every other test needs), stops that PostgreSQL and starts it again on the same port
 * and data, and watches the probes as Kubernetes would.
 */
class DatabaseOutageIntegrationTests {

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    @TempDir
    Path dataDir;

    @Test
    void readinessTurnsFalseWhilePostgresqlIsDownAndRecoversByItselfWhileLivenessStaysUp() throws Exception {
        int databasePort = freePort();
        EmbeddedPostgres postgres = startPostgres(databasePort);
        try (ConfigurableApplicationContext tollgate = startTollgate(databasePort)) {
            int managementPort = tollgate.getEnvironment().getRequiredProperty("local.management.port", Integer.class);
            await().atMost(Duration.ofSeconds(30)).until(() -> status(managementPort, "readiness") == 200);

            postgres.close();

            await().atMost(Duration.ofSeconds(30)).until(() -> status(managementPort, "readiness") == 503);
            assertThat(status(managementPort, "liveness")).isEqualTo(200);

            postgres = startPostgres(databasePort);

            await().atMost(Duration.ofSeconds(30)).until(() -> status(managementPort, "readiness") == 200);
            assertThat(status(managementPort, "liveness")).isEqualTo(200);
        }
        finally {
            postgres.close();
        }
    }

    private EmbeddedPostgres startPostgres(int port) throws IOException {
        // The same folder and port each time: the restarted server is the same database, as after a real outage.
        return EmbeddedPostgres.builder()
            .setDataDirectory(dataDir)
            .setCleanDataDirectory(false)
            .setPort(port)
            .setServerConfig("fsync", "off")
            .start();
    }

    private static ConfigurableApplicationContext startTollgate(int databasePort) {
        return new SpringApplicationBuilder(TollgateApplication.class)
            // Its own Netty event loops and connection pools: with Boot's default (Reactor Netty's global ones),
            // closing this application would dispose the loops of the shared test context and the fake upstream.
            .initializers(context -> ((GenericApplicationContext) context).registerBean(ReactorResourceFactory.class,
                    () -> {
                        ReactorResourceFactory resources = new ReactorResourceFactory();
                        resources.setUseGlobalResources(false);
                        return resources;
                    }))
            .properties(
                    "spring.r2dbc.url=r2dbc:postgresql://127.0.0.1:" + databasePort + "/postgres",
                    "spring.r2dbc.username=postgres",
                    "spring.r2dbc.password=",
                    "tollgate.database.embedded=false",
                    "server.port=0",
                    "management.server.port=0")
            .run();
    }

    private int status(int managementPort, String group) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + managementPort + "/actuator/health/" + group))
            .timeout(Duration.ofSeconds(5))
            .build();
        return http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

}
