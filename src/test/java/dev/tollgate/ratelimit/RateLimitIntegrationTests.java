package dev.tollgate.ratelimit;

import java.math.BigInteger;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.EntityExchangeResult;
import org.springframework.test.web.reactive.server.WebTestClient;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import dev.tollgate.testsupport.DashboardUser;
import dev.tollgate.testsupport.FakeReply;
import dev.tollgate.testsupport.FakeUpstream;
import dev.tollgate.testsupport.Fixtures;
import dev.tollgate.testsupport.IntegrationTest;
import dev.tollgate.testsupport.TestEnvironment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Rate limits through the proxy, on the shared test context (limits shared through the local Redis, counted over a
 * 10 s window: a limit of 5 "per minute" lets one more request in every 2 s).
 */
@IntegrationTest
class RateLimitIntegrationTests {

    /** A whole number no limit can hold: Jackson's asLong() throws for it, which must not reach the client as a 500. */
    private static final BigInteger BEYOND_A_LONG = new BigInteger("99999999999999999999");

    private static final JsonMapper JSON = JsonMapper.builder().build();

    @Autowired
    WebTestClient client;

    @Autowired
    RateLimitService rateLimits;

    final FakeUpstream upstream = FakeUpstream.shared();

    DashboardUser user;

    @BeforeEach
    void setUp() {
        upstream.reset();
        user = DashboardUser.signUp(client);
    }

    @Test
    void aKeyOverItsRequestsPerMinuteGetsOpenAis429WithItsHeadersAndRecovers() {
        String key = createKey(Map.of("requestsPerMinute", 5));

        for (int i = 0; i < 5; i++) {
            HttpHeaders headers = chat(key, request(0)).expectStatus().isOk().returnResult(byte[].class)
                .getResponseHeaders();
            assertThat(headers.getFirst("x-ratelimit-limit-requests")).isEqualTo("5");
            assertThat(headers.getFirst("x-ratelimit-remaining-requests")).isEqualTo(Integer.toString(4 - i));
            assertThat(headers.getFirst("x-ratelimit-reset-requests")).matches("\\d+(\\.\\d+)?(ms|s)");
            assertThat(headers.getFirst("x-ratelimit-limit-tokens")).isNull();
        }
        int forwarded = upstream.requestCount();

        EntityExchangeResult<byte[]> refused = chat(key, request(0)).expectStatus().isEqualTo(429)
            .expectHeader().contentType(MediaType.APPLICATION_JSON)
            .expectBody().returnResult();

        JsonNode error = JSON.readTree(refused.getResponseBody()).path("error");
        assertThat(error.path("type").stringValue()).isEqualTo("requests");
        assertThat(error.path("code").stringValue()).isEqualTo("rate_limit_exceeded");
        assertThat(error.path("message").stringValue()).contains("requests per minute (RPM) on this API key",
                "Limit 5");
        HttpHeaders headers = refused.getResponseHeaders();
        // One request's room comes back every 2 s.
        assertThat(Integer.parseInt(headers.getFirst("Retry-After"))).isBetween(1, 2);
        assertThat(headers.getFirst("x-ratelimit-limit-requests")).isEqualTo("5");
        assertThat(headers.getFirst("x-ratelimit-remaining-requests")).isEqualTo("0");
        assertThat(headers.getFirst("x-ratelimit-reset-requests")).isNotBlank();
        assertThat(headers.getFirst("x-tollgate-generation-id")).startsWith("gen-");
        assertThat(upstream.requestCount()).as("a refused call never reaches the provider").isEqualTo(forwarded);

        await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(250))
            .until(() -> chat(key, request(0)).returnResult(byte[].class).getStatus().value() == 200);
    }

    @Test
    void streamsAndAnthropicFormatCallsCarryTheHeadersAndAreLimitedToo() {
        String key = createKey(Map.of("requestsPerMinute", 2));
        Map<String, Object> stream = new HashMap<>(request(0));
        stream.put("stream", true);

        HttpHeaders streamed = chat(key, stream).expectStatus().isOk().returnResult(byte[].class).getResponseHeaders();
        assertThat(streamed.getFirst("x-ratelimit-remaining-requests")).isEqualTo("1");
        messages(key).expectStatus().isOk().expectHeader().valueEquals("x-ratelimit-remaining-requests", "0");

        messages(key).expectStatus().isEqualTo(429).expectHeader().exists("Retry-After")
            .expectBody().jsonPath("$.error.type").isEqualTo("requests");
        chat(key, stream).expectStatus().isEqualTo(429).expectHeader().exists("Retry-After")
            .expectHeader().contentType(MediaType.APPLICATION_JSON);
    }

    @Test
    void tokensCountThePromptAndMaxTokensAtAdmissionAndWhatTheCallUsedAfterwards() {
        String key = createKey(Map.of("tokensPerMinute", 1000));
        // The prompt "Hi" is estimated at 9 tokens; the recorded answer uses 33 + 10.
        HttpHeaders first = chat(key, request(900)).expectStatus().isOk().returnResult(byte[].class)
            .getResponseHeaders();
        assertThat(first.getFirst("x-ratelimit-limit-tokens")).isEqualTo("1000");
        assertThat(first.getFirst("x-ratelimit-remaining-tokens")).isEqualTo("91");
        assertThat(first.getFirst("x-ratelimit-limit-requests")).isNull();

        // 909 more fit only because the first call's unused allowance came back when it ended. This one uses 913.
        upstream.enqueue(FakeReply.json(200, Fixtures.text("openai/chat-completion.json")
            .replace("\"completion_tokens\": 10, \"total_tokens\": 43", "\"completion_tokens\": 880, \"total_tokens\": 913")));
        chat(key, request(900)).expectStatus().isOk();

        EntityExchangeResult<byte[]> refused = chat(key, request(200)).expectStatus().isEqualTo(429)
            .expectBody().returnResult();
        JsonNode error = JSON.readTree(refused.getResponseBody()).path("error");
        assertThat(error.path("type").stringValue()).isEqualTo("tokens");
        assertThat(error.path("message").stringValue()).contains("tokens per minute (TPM)", "Requested 209");
        assertThat(Integer.parseInt(refused.getResponseHeaders().getFirst("x-ratelimit-remaining-tokens")))
            .isLessThan(209);
        assertThat(refused.getResponseHeaders().getFirst("Retry-After")).isNotNull();

        EntityExchangeResult<byte[]> tooLarge = chat(key, request(5000)).expectStatus().isEqualTo(429)
            .expectBody().returnResult();
        assertThat(JSON.readTree(tooLarge.getResponseBody()).path("error").path("message").stringValue())
            .startsWith("Request too large");
        assertThat(tooLarge.getResponseHeaders().getFirst("Retry-After")).as("waiting would not help").isNull();
    }

    @Test
    void aTenantPlanLimitsAllItsKeysTogetherAndTheOperatorCanChangeIt() {
        DashboardUser operator = DashboardUser.signUpAs(client, TestEnvironment.OPERATOR_EMAIL);
        String path = "/api/operator/tenants/" + user.tenantId() + "/rate-limit";
        operator.put(path, Map.of("plan", "test-small")).expectStatus().isOk()
            .expectBody()
            .jsonPath("$.plan").isEqualTo("test-small")
            .jsonPath("$.source").isEqualTo("plan")
            .jsonPath("$.requestsPerMinute").isEqualTo(4);
        String first = user.createKey("first");
        String second = user.createKey("second");

        chat(first, request(0)).expectStatus().isOk().expectHeader().valueEquals("x-ratelimit-limit-requests", "4");
        chat(second, request(0)).expectStatus().isOk();
        chat(first, request(0)).expectStatus().isOk();
        chat(second, request(0)).expectStatus().isOk();
        chat(first, request(0)).expectStatus().isEqualTo(429)
            .expectBody().jsonPath("$.error.message").value(String.class,
                    message -> assertThat(message).contains("on your organization"));
        client.get().uri("/v1/key").header("Authorization", "Bearer " + second).exchange()
            .expectStatus().isOk()
            .expectBody()
            .jsonPath("$.data.rate_limit.requests").isEqualTo(4)
            .jsonPath("$.data.rate_limit.tokens").isEqualTo(100000)
            .jsonPath("$.data.rate_limit.interval").isEqualTo("10s");

        operator.put(path, Map.of("requestsPerMinute", 100)).expectStatus().isOk()
            .expectBody().jsonPath("$.source").isEqualTo("explicit").jsonPath("$.plan").doesNotExist();
        chat(first, request(0)).expectStatus().isOk().expectHeader().valueEquals("x-ratelimit-limit-requests", "100");

        operator.put(path, Map.of()).expectStatus().isOk().expectBody().jsonPath("$.source").isEqualTo("default");
        chat(first, request(0)).expectStatus().isOk().expectHeader().doesNotExist("x-ratelimit-limit-requests");
        client.get().uri("/v1/key").header("Authorization", "Bearer " + first).exchange()
            .expectBody().jsonPath("$.data.rate_limit").isEmpty();
    }

    @Test
    void theOperatorApiRefusesWhatItCannotApplyAndIsForOperatorsOnly() {
        DashboardUser operator = DashboardUser.signUpAs(client, TestEnvironment.OPERATOR_EMAIL);
        String path = "/api/operator/tenants/" + user.tenantId() + "/rate-limit";

        operator.put(path, Map.of("plan", "platinum")).expectStatus().isBadRequest()
            .expectBody().jsonPath("$.error.param").isEqualTo("plan");
        operator.put(path, Map.of("plan", "test-small", "requestsPerMinute", 5)).expectStatus().isBadRequest();
        operator.put(path, Map.of("requestsPerMinute", 0)).expectStatus().isBadRequest()
            .expectBody().jsonPath("$.error.param").isEqualTo("requestsPerMinute");
        operator.put(path, Map.of("requestsPerMinute", BEYOND_A_LONG)).expectStatus().isBadRequest()
            .expectBody().jsonPath("$.error.param").isEqualTo("requestsPerMinute");
        operator.put("/api/operator/tenants/00000000-0000-4000-8000-000000000000/rate-limit",
                Map.of("plan", "test-small")).expectStatus().isNotFound();
        user.put(path, Map.of("requestsPerMinute", 1000)).expectStatus().isForbidden();
        user.get(path).expectStatus().isForbidden();
        operator.get(path).expectStatus().isOk().expectBody().jsonPath("$.source").isEqualTo("default");
    }

    @Test
    void keysCarryTheirRateLimitInTheDashboardApiAndUpdatingItLeavesTheCreditLimitAlone() {
        JsonNode created = user.createKeyJson(Map.of("name", "limited", "creditLimitUsd", "2",
                "rateLimit", Map.of("requestsPerMinute", 60)));
        String id = created.path("id").stringValue();
        assertThat(created.path("rateLimit").path("requestsPerMinute").asLong()).isEqualTo(60);
        assertThat(created.path("rateLimit").path("tokensPerMinute").isNull()).isTrue();

        user.patch("/api/keys/" + id, Map.of("rateLimit", Map.of("tokensPerMinute", 5000))).expectStatus().isOk()
            .expectBody()
            .jsonPath("$.rateLimit.requestsPerMinute").doesNotExist()
            .jsonPath("$.rateLimit.tokensPerMinute").isEqualTo(5000)
            .jsonPath("$.creditLimitMicros").isEqualTo(2_000_000);
        Map<String, Object> clear = new HashMap<>();
        clear.put("rateLimit", null);
        user.patch("/api/keys/" + id, clear).expectStatus().isOk()
            .expectBody().jsonPath("$.rateLimit").isEmpty().jsonPath("$.creditLimitMicros").isEqualTo(2_000_000);
        JsonNode listed = user.getJson("/api/keys").get(0);
        assertThat(listed.has("rateLimit")).isTrue();
        assertThat(listed.path("usageMicros").isNumber()).isTrue();

        user.post("/api/keys", Map.of("name", "bad", "rateLimit", Map.of("requestsPerMinute", 0)))
            .expectStatus().isBadRequest()
            .expectBody().jsonPath("$.error.param").isEqualTo("rateLimit.requestsPerMinute");
        user.post("/api/keys", Map.of("name", "bad", "rateLimit", Map.of("tokensPerMinute", BEYOND_A_LONG)))
            .expectStatus().isBadRequest()
            .expectBody().jsonPath("$.error.param").isEqualTo("rateLimit.tokensPerMinute");
        user.patch("/api/keys/" + id, Map.of("rateLimit", Map.of("tokensPerMinute", "lots")))
            .expectStatus().isBadRequest();
        user.patch("/api/keys/00000000-0000-4000-8000-000000000000", Map.of("rateLimit", Map.of()))
            .expectStatus().isNotFound();
    }

    @Test
    void aKeyWithoutLimitsIsNotLimitedNorToldOfLimits() {
        String key = user.createKey("free");

        chat(key, request(0)).expectStatus().isOk().expectHeader().doesNotExist("x-ratelimit-limit-requests")
            .expectHeader().doesNotExist("x-ratelimit-limit-tokens");
        client.get().uri("/v1/key").header("Authorization", "Bearer " + key).exchange()
            .expectStatus().isOk().expectBody().jsonPath("$.data.rate_limit").isEmpty();
        assertThat(rateLimits.sharedAcrossReplicas()).isTrue();
    }

    private String createKey(Map<String, Object> rateLimit) {
        return user.createKeyJson(Map.of("name", "limited", "rateLimit", rateLimit)).path("key").stringValue();
    }

    private WebTestClient.ResponseSpec chat(String key, Map<String, Object> body) {
        return client.post().uri("/v1/chat/completions")
            .header("Authorization", "Bearer " + key)
            .contentType(MediaType.APPLICATION_JSON)
            .bodyValue(body)
            .exchange();
    }

    private WebTestClient.ResponseSpec messages(String key) {
        return client.post().uri("/v1/messages")
            .header("x-api-key", key)
            .header("anthropic-version", "2023-06-01")
            .contentType(MediaType.APPLICATION_JSON)
            .bodyValue(Map.of("model", "openai/gpt-4o-mini", "max_tokens", 100,
                    "messages", List.of(Map.of("role", "user", "content", "Hi"))))
            .exchange();
    }

    private static Map<String, Object> request(int maxTokens) {
        Map<String, Object> body = new HashMap<>();
        body.put("model", "openai/gpt-4o-mini");
        body.put("messages", List.of(Map.of("role", "user", "content", "Hi")));
        if (maxTokens > 0) {
            body.put("max_tokens", maxTokens);
        }
        return body;
    }

}
