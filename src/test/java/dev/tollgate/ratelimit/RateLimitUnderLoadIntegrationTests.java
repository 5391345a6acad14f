package dev.tollgate.ratelimit;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;
import org.springframework.web.reactive.function.client.WebClient;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import tools.jackson.databind.JsonNode;

import dev.tollgate.testsupport.DashboardUser;
import dev.tollgate.testsupport.FakeUpstream;
import dev.tollgate.testsupport.IntegrationTest;
import dev.tollgate.testsupport.SecondInstance;
import dev.tollgate.testsupport.TestEnvironment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Limits under concurrent load: two replicas sharing the real Redis admit what one would, and a tenant flooding its
 * limit leaves another tenant's calls untouched. The test window is 10 s, so a limit of N refills N/10 a second while
 * a burst runs; the tolerance below is exactly that refill (plus one for rounding), measured around the burst.
 */
@IntegrationTest
class RateLimitUnderLoadIntegrationTests {

    private static final int WINDOW_SECONDS = 10;

    @Autowired
    WebTestClient client;

    @Autowired
    RateLimitService rateLimits;

    @LocalServerPort
    int port;

    DashboardUser user;

    @BeforeEach
    void setUp() {
        FakeUpstream.shared().reset();
        user = DashboardUser.signUp(client);
    }

    @Test
    void twoInstancesSharingRedisEnforceOneLimitTogetherAndApplyLimitChangesMadeOnEitherAtOnce() {
        int limit = 40;
        try (SecondInstance second = SecondInstance.start()) {
            await().atMost(Duration.ofSeconds(10)).until(second.bean(RateLimitService.class)::sharedAcrossReplicas);
            String key = user.createKeyJson(Map.of("name", "shared", "rateLimit", Map.of("requestsPerMinute", limit)))
                .path("key").stringValue();
            List<WebClient> instances = List.of(WebClient.create("http://127.0.0.1:" + port),
                    WebClient.create(second.baseUrl()));

            long start = System.nanoTime();
            List<Outcome> outcomes = Flux.range(0, 4 * limit)
                .flatMap(i -> call(instances.get(i % 2), key).map(status -> new Outcome(i % 2, status)), 16)
                .collectList()
                .block(Duration.ofSeconds(60));
            double seconds = (System.nanoTime() - start) / 1e9;

            Map<Integer, Long> byStatus = outcomes.stream()
                .collect(Collectors.groupingBy(Outcome::status, Collectors.counting()));
            long admitted = byStatus.getOrDefault(200, 0L);
            long tolerance = (long) Math.ceil(limit * seconds / WINDOW_SECONDS) + 1;
            assertThat(byStatus.keySet()).containsOnly(200, 429);
            assertThat(admitted).as("admitted of %d in %.2f s (one instance alone would admit %d)", 4 * limit, seconds,
                    limit).isBetween((long) limit, limit + tolerance);
            assertThat(outcomes.stream().filter(outcome -> outcome.status() == 200).map(Outcome::instance).distinct())
                .as("both instances admitted some").hasSize(2);
            assertThat(rateLimits.sharedAcrossReplicas()).isTrue();
            assertThat(second.bean(RateLimitService.class).sharedAcrossReplicas()).isTrue();

            // The operator changes the tenant's limits on this instance; the other applies them without waiting for
            // its refresh interval (10 s), and so does a key's change.
            DashboardUser.signUpAs(client, TestEnvironment.OPERATOR_EMAIL)
                .put("/api/operator/tenants/" + user.tenantId() + "/rate-limit", Map.of("requestsPerMinute", 777))
                .expectStatus().isOk();
            JsonNode created = user.createKeyJson(Map.of("name", "other"));
            String other = created.path("key").stringValue();
            String otherId = created.path("id").stringValue();
            WebTestClient secondClient = WebTestClient.bindToServer().baseUrl(second.baseUrl()).build();
            await().atMost(Duration.ofSeconds(5)).until(() -> "777".equals(limitHeader(secondClient, other)));
            user.patch("/api/keys/" + otherId, Map.of("rateLimit", Map.of("requestsPerMinute", 555)))
                .expectStatus().isOk();
            await().atMost(Duration.ofSeconds(5)).until(() -> "555".equals(limitHeader(secondClient, other)));
        }
    }

    @Test
    void aFloodFromOneTenantDoesNotRaiseAnotherTenantsErrorRate() {
        DashboardUser flooder = DashboardUser.signUp(client);
        DashboardUser.signUpAs(client, TestEnvironment.OPERATOR_EMAIL)
            .put("/api/operator/tenants/" + flooder.tenantId() + "/rate-limit", Map.of("plan", "test-small"))
            .expectStatus().isOk();
        String floodKey = flooder.createKey("flood");
        String calmKey = user.createKey("calm");
        WebClient web = WebClient.create("http://127.0.0.1:" + port);

        // One calm call among every six, all in flight together with the flood.
        long start = System.nanoTime();
        List<Outcome> outcomes = Flux.range(0, 360)
            .flatMap(i -> call(web, i % 6 == 0 ? calmKey : floodKey).map(status -> new Outcome(i % 6 == 0 ? 1 : 0,
                    status)), 32)
            .collectList()
            .block(Duration.ofSeconds(60));
        double seconds = (System.nanoTime() - start) / 1e9;

        Map<Integer, List<Integer>> statuses = outcomes.stream().collect(Collectors.groupingBy(Outcome::instance,
                Collectors.mapping(Outcome::status, Collectors.toList())));
        assertThat(statuses.get(1)).as("the calm tenant's calls").hasSize(60).containsOnly(200);
        Map<Integer, Long> flood = statuses.get(0).stream()
            .collect(Collectors.groupingBy(Function.identity(), Collectors.counting()));
        assertThat(flood.keySet()).containsOnly(200, 429);
        assertThat(flood.get(200)).isBetween(4L, 4 + (long) Math.ceil(4 * seconds / WINDOW_SECONDS) + 1);
    }

    private static String limitHeader(WebTestClient web, String key) {
        return web.post().uri("/v1/chat/completions")
            .header("Authorization", "Bearer " + key)
            .contentType(MediaType.APPLICATION_JSON)
            .bodyValue(Map.of("model", "openai/gpt-4o-mini", "messages", List.of(Map.of("role", "user",
                    "content", "Hi"))))
            .exchange()
            .expectStatus().isOk()
            .returnResult(byte[].class)
            .getResponseHeaders()
            .getFirst("x-ratelimit-limit-requests");
    }

    private static Mono<Integer> call(WebClient web, String key) {
        return web.post().uri("/v1/chat/completions")
            .header("Authorization", "Bearer " + key)
            .contentType(MediaType.APPLICATION_JSON)
            .bodyValue(Map.of("model", "openai/gpt-4o-mini", "messages", List.of(Map.of("role", "user",
                    "content", "Hi"))))
            .exchangeToMono(response -> response.releaseBody().thenReturn(response.statusCode().value()));
    }

    /** One call's answer; {@code instance} is which instance (or, in the flood, which tenant) it went to. */
    private record Outcome(int instance, int status) {
    }

}
