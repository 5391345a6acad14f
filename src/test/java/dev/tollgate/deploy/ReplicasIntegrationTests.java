package dev.tollgate.deploy;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;

import dev.tollgate.testsupport.DashboardUser;
import dev.tollgate.testsupport.FakeReply;
import dev.tollgate.testsupport.FakeUpstream;
import dev.tollgate.testsupport.IntegrationTest;
import dev.tollgate.testsupport.SecondInstance;
import dev.tollgate.testsupport.TestEnvironment;

import static org.awaitility.Awaitility.await;

/** Two replicas on one database: what one learns, the other applies within a second, not after a cache expires. */
@IntegrationTest
class ReplicasIntegrationTests {

    static SecondInstance replica;

    static WebTestClient other;

    @Autowired
    WebTestClient client;

    @BeforeAll
    static void startReplica() {
        replica = SecondInstance.start();
        other = WebTestClient.bindToServer().baseUrl(replica.baseUrl()).build();
    }

    @AfterAll
    static void stopReplica() {
        replica.close();
    }

    @BeforeEach
    void setUp() {
        FakeUpstream.shared().reset();
    }

    @Test
    void aKeyRevokedOnOneReplicaFailsOnTheOtherWithinASecond() {
        DashboardUser user = DashboardUser.signUp(client);
        var created = user.createKeyJson(Map.of("name", "shared"));
        String key = created.path("key").stringValue();
        call(other, key).expectStatus().isOk();

        user.delete("/api/keys/" + created.path("id").stringValue()).expectStatus().isNoContent();

        await().atMost(Duration.ofSeconds(1)).pollInterval(Duration.ofMillis(50)).untilAsserted(() ->
            call(other, key).expectStatus().isUnauthorized());
    }

    /** The response cache is shared through Redis: what one replica kept answers the same call on the other. */
    @Test
    void anAnswerKeptByOneReplicaServesTheSameCallOnTheOther() {
        String key = DashboardUser.signUp(client).createKey("cached");
        FakeUpstream.shared().enqueue(answer("kept once"), answer("kept twice"));

        cached(other, key, "true").expectStatus().isOk().expectHeader().valueEquals("x-tollgate-cache", "miss");
        // The store is sent without waiting for Redis's answer: the first replica finds it a moment later.
        await().atMost(Duration.ofSeconds(2)).pollInterval(Duration.ofMillis(50)).untilAsserted(() ->
            cached(client, key, "true").expectStatus().isOk().expectHeader().valueEquals("x-tollgate-cache", "hit")
                .expectBody().jsonPath("$.choices[0].message.content").isEqualTo("kept once")
                .jsonPath("$.usage.total_tokens").isEqualTo(15));
        org.assertj.core.api.Assertions.assertThat(FakeUpstream.shared().requestCount()).isEqualTo(1);

        // A refresh on one replica is what the other serves from then on, not the answer it kept itself.
        client.post().uri("/v1/chat/completions").header("Authorization", "Bearer " + key)
            .header("x-tollgate-cache", "refresh").header("x-tollgate-cache-ttl", "1")
            .contentType(MediaType.APPLICATION_JSON).bodyValue(question()).exchange().expectStatus().isOk();
        await().atMost(Duration.ofSeconds(2)).pollInterval(Duration.ofMillis(50)).untilAsserted(() ->
            cached(other, key, "true").expectStatus().isOk().expectHeader().valueEquals("x-tollgate-cache", "hit")
                .expectBody().jsonPath("$.choices[0].message.content").isEqualTo("kept twice"));
        // And once the refreshed answer's second is over, it is gone for both: the other's own copy is not served.
        FakeUpstream.shared().enqueue(answer("kept thrice"));
        await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(100)).untilAsserted(() ->
            cached(other, key, "true").expectStatus().isOk().expectHeader().valueEquals("x-tollgate-cache", "miss")
                .expectBody().jsonPath("$.choices[0].message.content").isEqualTo("kept thrice"));
    }

    private static FakeReply answer(String text) {
        return FakeReply.json(200, """
                {"id":"chatcmpl-r","object":"chat.completion","created":1764000000,"model":"gpt-4o-mini",
                 "choices":[{"index":0,"message":{"role":"assistant","content":"%s"},"finish_reason":"stop"}],
                 "usage":{"prompt_tokens":12,"completion_tokens":3,"total_tokens":15}}""".formatted(text));
    }

    private static Map<String, Object> question() {
        return Map.of("model", "openai/gpt-4o-mini", "messages",
                List.of(Map.of("role", "user", "content", "Shared between replicas?")));
    }

    private static WebTestClient.ResponseSpec cached(WebTestClient client, String key, String mode) {
        return client.post().uri("/v1/chat/completions").header("Authorization", "Bearer " + key)
            .header("x-tollgate-cache", mode).contentType(MediaType.APPLICATION_JSON).bodyValue(question())
            .exchange();
    }

    @Test
    void aPriceChangedOnOneReplicaAppliesOnTheOtherWithinASecond() {
        DashboardUser operator = DashboardUser.signUpAs(client, TestEnvironment.OPERATOR_EMAIL);
        String model = "openai/gpt-4.1-nano";
        try {
            operator.post("/api/operator/prices", Map.of("modelId", model, "inputPerMtokUsd", "0.11",
                    "outputPerMtokUsd", "0.40", "cachedInputPerMtokUsd", "0.025")).expectStatus().isCreated();

            await().atMost(Duration.ofSeconds(1)).pollInterval(Duration.ofMillis(50)).untilAsserted(() ->
                other.get().uri("/v1/models").exchange().expectBody()
                    .jsonPath("$.data[?(@.id == '" + model + "')].pricing.prompt").isEqualTo("0.00000011"));
        }
        finally {
            operator.post("/api/operator/prices", Map.of("modelId", model, "inputPerMtokUsd", "0.10",
                    "outputPerMtokUsd", "0.40", "cachedInputPerMtokUsd", "0.025")).expectStatus().isCreated();
        }
    }

    @Test
    void aSessionClosedOnOneReplicaEndsOnTheOther() {
        DashboardUser user = DashboardUser.signUp(client);
        other.get().uri("/api/me").cookie("TOLLGATE_SESSION", user.session()).exchange().expectStatus().isOk();

        user.post("/api/auth/logout", Map.of()).expectStatus().isOk();

        await().atMost(Duration.ofSeconds(1)).pollInterval(Duration.ofMillis(50)).untilAsserted(() ->
            other.get().uri("/api/me").cookie("TOLLGATE_SESSION", user.session()).exchange()
                .expectStatus().isUnauthorized());
    }

    private static WebTestClient.ResponseSpec call(WebTestClient client, String key) {
        return client.post().uri("/v1/chat/completions").header("Authorization", "Bearer " + key)
            .contentType(MediaType.APPLICATION_JSON)
            .bodyValue(Map.of("model", "openai/gpt-4o-mini", "max_tokens", 20,
                    "messages", List.of(Map.of("role", "user", "content", "hi"))))
            .exchange();
    }

}
