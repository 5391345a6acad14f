package dev.tollgate.deploy;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import ch.qos.logback.classic.LoggerContext;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalManagementPort;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;

import dev.tollgate.credits.CreditKind;
import dev.tollgate.credits.CreditService;
import dev.tollgate.testsupport.DashboardUser;
import dev.tollgate.testsupport.FakeUpstream;
import dev.tollgate.testsupport.IntegrationTest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** What an operator's Prometheus sees, and the overhead header a client sees. */
@IntegrationTest
class MetricsIntegrationTests {

    @Autowired
    WebTestClient client;

    @Autowired
    CreditService credits;

    @LocalManagementPort
    int managementPort;

    @BeforeEach
    void setUp() {
        FakeUpstream.shared().reset();
    }

    @Test
    void callsShowUpInPrometheusByModelProviderAndStatus() {
        DashboardUser user = DashboardUser.signUp(client);
        String key = user.createKey("metrics");
        String overhead = call(key, false).expectStatus().isOk().returnResult(String.class).getResponseHeaders()
            .getFirst("x-tollgate-overhead-ms");
        assertThat(new BigDecimal(overhead)).isNotNegative();
        call(key, true).expectStatus().isOk().expectHeader().exists("x-tollgate-overhead-ms");
        client.post().uri("/v1/messages").header("Authorization", "Bearer " + key)
            .contentType(MediaType.APPLICATION_JSON)
            .bodyValue(Map.of("model", "openai/gpt-4o-mini", "max_tokens", 20,
                    "messages", List.of(Map.of("role", "user", "content", "hi"))))
            .exchange()
            .expectStatus().isOk();
        credits.append(user.tenantId(), CreditKind.ADJUSTMENT, -10_000_000L, null, "empty it").block();
        call(key, false).expectStatus().isEqualTo(402);

        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
            String metrics = scrape();
            assertThat(metrics)
                .contains("tollgate_requests_total{model=\"openai/gpt-4o-mini\",provider=\"openai\",status=\"200\","
                        + "streamed=\"false\"}")
                .contains("tollgate_requests_total{model=\"openai/gpt-4o-mini\",provider=\"openai\",status=\"200\","
                        + "streamed=\"true\"}")
                .contains("tollgate_tokens_total{direction=\"in\",model=\"openai/gpt-4o-mini\",provider=\"openai\"}")
                .contains("tollgate_revenue_micros_total{model=\"openai/gpt-4o-mini\",provider=\"openai\"}")
                .contains("tollgate_cost_micros_total{model=\"openai/gpt-4o-mini\",provider=\"openai\"}")
                .contains("tollgate_refused_total{reason=\"insufficient_credits\"}")
                .contains("tollgate_overhead_seconds_bucket")
                .contains("tollgate_upstream_first_token_seconds_bucket{provider=\"openai\"")
                .contains("tollgate_streams_active")
                .contains("tollgate_holds_outstanding")
                .contains("tollgate_usage_pending")
                // The shared test context runs without breakers (tests fail providers on purpose): "disabled".
                .contains("tollgate_provider_breaker_state{provider=\"openai\",state=\"disabled\"} 1.0")
                // Chat completions and messages are served below WebFlux (ProxyHotPath), observed as WebFlux does.
                .contains("outcome=\"SUCCESS\",status=\"200\",uri=\"/v1/chat/completions\"}")
                .contains("outcome=\"SUCCESS\",status=\"200\",uri=\"/v1/messages\"}")
                .contains("outcome=\"CLIENT_ERROR\",status=\"402\",uri=\"/v1/chat/completions\"}");
        });
    }

    @Test
    void logEventsAreCountedWithoutATurboFilterOnEveryLevelCheck() {
        assertThat(((LoggerContext) LoggerFactory.getILoggerFactory()).getTurboFilterList()).isEmpty();
        assertThat(scrape()).contains("logback_events_total{level=\"error\"}")
            .contains("logback_events_total{level=\"warn\"}");
    }

    @Test
    void theActuatorPortDoesNotServeTheProxy() {
        WebTestClient.bindToServer().baseUrl("http://127.0.0.1:" + managementPort).build()
            .post().uri("/v1/chat/completions").contentType(MediaType.APPLICATION_JSON).bodyValue("{}").exchange()
            .expectStatus().isNotFound();
    }

    private String scrape() {
        return WebTestClient.bindToServer().baseUrl("http://127.0.0.1:" + managementPort).build()
            .get().uri("/actuator/prometheus").exchange()
            .expectStatus().isOk().expectBody(String.class).returnResult().getResponseBody();
    }

    private WebTestClient.ResponseSpec call(String key, boolean stream) {
        return client.post().uri("/v1/chat/completions").header("Authorization", "Bearer " + key)
            .contentType(MediaType.APPLICATION_JSON)
            .bodyValue(Map.of("model", "openai/gpt-4o-mini", "stream", stream, "max_tokens", 20,
                    "messages", List.of(Map.of("role", "user", "content", "hi"))))
            .exchange();
    }

}
