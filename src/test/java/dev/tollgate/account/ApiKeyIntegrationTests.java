package dev.tollgate.account;

import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.MediaType;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.test.web.reactive.server.WebTestClient;
import tools.jackson.databind.JsonNode;

import dev.tollgate.common.Sha256;
import dev.tollgate.testsupport.DashboardUser;
import dev.tollgate.testsupport.FakeUpstream;
import dev.tollgate.testsupport.IntegrationTest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

@IntegrationTest
class ApiKeyIntegrationTests {

    @Autowired
    WebTestClient client;

    @Autowired
    DatabaseClient db;

    @BeforeEach
    void setUp() {
        FakeUpstream.shared().reset();
    }

    @Test
    void aNewKeyIsShownOnceAndStoredOnlyAsAHashAndAPrefix() {
        DashboardUser user = DashboardUser.signUp(client);

        JsonNode created = user.createKeyJson(Map.of("name", "laptop", "creditLimitUsd", "12.5"));

        String key = created.path("key").stringValue();
        assertThat(key).matches("sk-tg-v1-[0-9a-f]{64}");
        assertThat(created.path("name").stringValue()).isEqualTo("laptop");
        assertThat(created.path("creditLimitMicros").asLong()).isEqualTo(12_500_000L);
        assertThat(key).startsWith(created.path("prefix").stringValue().replace("…", ""));

        UUID id = UUID.fromString(created.path("id").stringValue());
        byte[] storedHash = db.sql("select key_hash from api_key where id = :id").bind("id", id)
            .map(row -> row.get("key_hash", byte[].class)).one().block();
        assertThat(storedHash).isEqualTo(Sha256.of(key));
        String wholeRow = db.sql("select row_to_json(k)::text as json from api_key k where id = :id").bind("id", id)
            .map(row -> row.get("json", String.class)).one().block();
        assertThat(wholeRow).doesNotContain(key.substring("sk-tg-v1-".length() + 6));

        JsonNode listed = user.getJson("/api/keys");
        assertThat(listed).hasSize(1);
        assertThat(listed.get(0).path("prefix").stringValue()).isEqualTo(created.path("prefix").stringValue());
        assertThat(listed.get(0).toString()).doesNotContain(key);
    }

    @Test
    void aRevokedKeyFailsAtOnce() {
        DashboardUser user = DashboardUser.signUp(client);
        JsonNode created = user.createKeyJson(Map.of("name", "to revoke"));
        String key = created.path("key").stringValue();
        call(key).expectStatus().isOk();

        user.delete("/api/keys/" + created.path("id").stringValue()).expectStatus().isNoContent();

        call(key).expectStatus().isUnauthorized().expectBody().jsonPath("$.error.code").isEqualTo("invalid_api_key");
        assertThat(user.getJson("/api/keys")).isEmpty();
    }

    @Test
    void aTenantCannotSeeOrRevokeAnotherTenantsKeys() {
        DashboardUser owner = DashboardUser.signUp(client);
        DashboardUser other = DashboardUser.signUp(client);
        JsonNode created = owner.createKeyJson(Map.of("name", "private"));

        other.delete("/api/keys/" + created.path("id").stringValue()).expectStatus().isNotFound();

        assertThat(other.getJson("/api/keys")).isEmpty();
        call(created.path("key").stringValue()).expectStatus().isOk();
    }

    @Test
    void keyFormsAreValidated() {
        DashboardUser user = DashboardUser.signUp(client);

        user.post("/api/keys", Map.of("name", "")).expectStatus().isBadRequest()
            .expectBody().jsonPath("$.error.param").isEqualTo("name");
        user.post("/api/keys", Map.of("name", "k", "creditLimitUsd", -1)).expectStatus().isBadRequest()
            .expectBody().jsonPath("$.error.param").isEqualTo("creditLimitUsd");
        user.post("/api/keys", Map.of("name", "k", "creditLimitUsd", "0.0000001")).expectStatus().isBadRequest();
    }

    @Test
    void keysAreRandomAndDistinct() {
        DashboardUser user = DashboardUser.signUp(client);
        String first = user.createKey("a");
        String second = user.createKey("b");

        assertThat(first).isNotEqualTo(second);
        assertThat(HexFormat.of().parseHex(first.substring(9))).hasSize(32);
    }

    @Test
    void theListSaysWhenAKeyWasLastUsed() {
        DashboardUser user = DashboardUser.signUp(client);
        String key = user.createKey("used");
        assertThat(user.getJson("/api/keys").get(0).path("lastUsedAt").isNull()).isTrue();

        call(key).expectStatus().isOk();

        await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
            assertThat(user.getJson("/api/keys").get(0).path("lastUsedAt").isString()).isTrue());
    }

    private WebTestClient.ResponseSpec call(String key) {
        return client.post().uri("/v1/chat/completions").header("Authorization", "Bearer " + key)
            .contentType(MediaType.APPLICATION_JSON)
            .bodyValue(Map.of("model", "openai/gpt-4o-mini", "messages", List.of(Map.of("role", "user", "content", "hi"))))
            .exchange();
    }

}
