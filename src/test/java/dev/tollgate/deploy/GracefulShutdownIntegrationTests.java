package dev.tollgate.deploy;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import org.junit.jupiter.api.Test;
import org.springframework.http.MediaType;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.test.web.reactive.server.WebTestClient;
import org.springframework.web.reactive.function.client.WebClient;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import dev.tollgate.testsupport.DashboardUser;
import dev.tollgate.testsupport.FakeUpstream;
import dev.tollgate.testsupport.LedgerInvariant;
import dev.tollgate.testsupport.SecondInstance;
import dev.tollgate.testsupport.SseText;
import dev.tollgate.testsupport.TestPostgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * SIGTERM in the middle of long streams: each stream gets the grace period, then a final error event telling its
 * client to retry; nothing is lost (every stream's delivered part billed, every hold settled, every lease given back).
 */
class GracefulShutdownIntegrationTests {

    @Test
    void streamsLongerThanTheGracePeriodEndWithAnErrorEventAndAreBilledForWhatTheyDelivered() {
        FakeUpstream upstream = FakeUpstream.shared();
        upstream.reset();
        int streams = 5;
        for (int i = 0; i < streams; i++) {
            upstream.enqueue(FakeUpstream.longStream(200, Duration.ofMillis(20)));
        }
        SecondInstance tollgate = SecondInstance.start(Map.of("tollgate.proxy.shutdown-grace-period", "500ms"));
        DatabaseClient db = TestPostgres.get().databaseClient();
        DashboardUser user = DashboardUser.signUp(WebTestClient.bindToServer().baseUrl(tollgate.baseUrl()).build());
        String key = user.createKey("draining");
        WebClient web = WebClient.create(tollgate.baseUrl());

        CompletableFuture<List<String>> bodies = Flux.range(0, streams)
            .flatMap(i -> web.post().uri("/v1/chat/completions").header("Authorization", "Bearer " + key)
                .contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("model", "openai/gpt-4o-mini", "stream", true, "max_tokens", 300,
                        "messages", List.of(Map.of("role", "user", "content", "Count slowly"))))
                .retrieve()
                .bodyToMono(String.class), streams)
            .collectList()
            .toFuture();
        await().atMost(Duration.ofSeconds(10)).until(() -> upstream.requestCount() == streams);
        tollgate.close();

        List<String> received = Mono.fromFuture(bodies).block(Duration.ofSeconds(30));
        assertThat(received).hasSize(streams).allSatisfy(body -> {
            List<String> data = SseText.dataOf(body);
            assertThat(data).doesNotContain("[DONE]");
            assertThat(data.get(data.size() - 1)).contains("\"code\":\"server_shutting_down\"");
            assertThat(data.size()).isLessThan(200);
        });
        Long billed = db.sql("""
                select count(*) from request_log where tenant_id = :tenant and error_code = 'server_shutting_down'
                and charge_micros > 0""").bind("tenant", user.tenantId()).map(row -> row.get(0, Long.class)).one()
            .block(Duration.ofSeconds(10));
        assertThat(billed).isEqualTo(streams);
        Long leases = db.sql("select count(*) from credit_lease where tenant_id = :tenant")
            .bind("tenant", user.tenantId()).map(row -> row.get(0, Long.class)).one().block(Duration.ofSeconds(10));
        assertThat(leases).isZero();
        new LedgerInvariant(db).holds();
    }

}
