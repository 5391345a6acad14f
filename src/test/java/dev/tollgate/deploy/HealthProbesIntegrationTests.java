package dev.tollgate.deploy;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalManagementPort;
import org.springframework.http.HttpStatus;
import org.springframework.test.web.reactive.server.WebTestClient;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import dev.tollgate.testsupport.IntegrationTest;

import static org.assertj.core.api.Assertions.assertThat;

/** The health groups that Kubernetes and Compose probe, and the metrics endpoint, on Actuator's own port. */
@IntegrationTest
class HealthProbesIntegrationTests {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    @LocalManagementPort
    int managementPort;

    @Autowired
    WebTestClient client;

    @Test
    void livenessIsUpAndDependsOnNothingButTheApplicationItself() {
        JsonNode liveness = get("/actuator/health/liveness");

        assertThat(liveness.path("status").stringValue()).isEqualTo("UP");
        assertThat(liveness.path("components").propertyNames()).containsExactly("livenessState");
    }

    @Test
    void readinessIsUpAndIncludesThePostgresqlConnection() {
        JsonNode readiness = get("/actuator/health/readiness");

        assertThat(readiness.path("status").stringValue()).isEqualTo("UP");
        assertThat(readiness.path("components").propertyNames()).containsExactlyInAnyOrder("readinessState", "r2dbc");
        assertThat(readiness.path("components").path("r2dbc").path("status").stringValue()).isEqualTo("UP");
    }

    @Test
    void prometheusMetricsAreServedOnTheManagementPort() {
        String metrics = management().get().uri("/actuator/prometheus").exchange()
            .expectStatus().isOk()
            .expectBody(String.class).returnResult().getResponseBody();

        assertThat(metrics).contains("# TYPE jvm_memory_used_bytes gauge");
    }

    @Test
    void actuatorIsNotReachableThroughThePublicPort() {
        client.get().uri("/actuator/health").exchange().expectStatus().isEqualTo(HttpStatus.NOT_FOUND);
        client.get().uri("/actuator/prometheus").exchange().expectStatus().isEqualTo(HttpStatus.NOT_FOUND);
    }

    private JsonNode get(String path) {
        byte[] body = management().get().uri(path).exchange()
            .expectStatus().isOk()
            .expectBody().returnResult().getResponseBody();
        return JSON.readTree(body);
    }

    private WebTestClient management() {
        return WebTestClient.bindToServer().baseUrl("http://localhost:" + managementPort).build();
    }

}
