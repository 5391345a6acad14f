package dev.tollgate.account;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.web.reactive.server.EntityExchangeResult;
import org.springframework.test.web.reactive.server.WebTestClient;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import dev.tollgate.testsupport.DashboardUser;
import dev.tollgate.testsupport.IntegrationTest;
import dev.tollgate.testsupport.JsonVariants;
import dev.tollgate.testsupport.TestEnvironment;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The dashboard's and the operator's JSON endpoints, each field (and the whole body) given a value of every JSON type
 * ({@link JsonVariants#VALUES}): a 2xx or a 4xx in OpenAI's error shape, never a 5xx. Each endpoint's valid body is
 * checked to succeed first, so that the variants reach its handler (session and CSRF token accepted).
 */
@IntegrationTest
class DashboardFieldValuesIntegrationTests {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    @Autowired
    WebTestClient client;

    @Test
    void noFieldValueIsA500() {
        DashboardUser user = DashboardUser.signUp(client);
        DashboardUser operator = DashboardUser.signUpAs(client, TestEnvironment.OPERATOR_EMAIL);
        String keyId = user.createKeyJson(Map.of("name", "variants")).path("id").stringValue();
        String tenant = "/api/operator/tenants/" + user.tenantId();
        List<String> failures = new ArrayList<>();
        tryEach("{\"name\":\"k\",\"creditLimitUsd\":\"2\",\"rateLimit\":{\"requestsPerMinute\":60}}",
                body -> user.post("/api/keys", body), failures);
        tryEach("{\"creditLimitUsd\":\"3\",\"rateLimit\":{\"tokensPerMinute\":5000}}",
                body -> user.patch("/api/keys/" + keyId, body), failures);
        tryEach("{\"enabled\":true,\"thresholdUsd\":5,\"amountUsd\":20}",
                body -> user.put("/api/billing/auto-topup", body), failures);
        tryEach("{\"amountUsd\":10,\"saveCard\":false}", body -> user.post("/api/billing/checkout", body), failures);
        tryEach("{\"requestsPerMinute\":100,\"tokensPerMinute\":1000}",
                body -> operator.put(tenant + "/rate-limit", body), failures);
        tryEach("{\"amountUsd\":1,\"reason\":\"r\"}", body -> operator.post(tenant + "/credits", body), failures);
        tryEach("{\"plan\":\"prepaid\"}", body -> operator.put(tenant + "/plan", body), failures);
        tryEach("{\"email\":\"" + user.email() + "\",\"password\":\"" + user.password() + "\"}",
                body -> user.post("/api/auth/login", body), failures);
        tryEach("{\"email\":\"variant-" + UUID.randomUUID() + "@example.com\",\"password\":\"" + user.password()
                + "\",\"organization\":\"O\"}", body -> user.post("/api/auth/signup", body), failures);
        assertThat(failures).isEmpty();
    }

    private static void tryEach(String valid, Function<JsonNode, WebTestClient.ResponseSpec> send,
            List<String> failures) {
        JsonNode root = JSON.readTree(valid);
        assertThat(send.apply(root).expectBody(String.class).returnResult().getStatus().is2xxSuccessful())
            .as("%s is accepted", valid).isTrue();
        List<JsonNode> variants = new ArrayList<>();
        for (String pointer : JsonVariants.pointers(root)) {
            JsonVariants.VALUES.forEach(value -> variants.add(JsonVariants.replaced(root, pointer, value)));
        }
        JsonVariants.VALUES.forEach(value -> variants.add(JSON.readTree(value)));
        for (JsonNode body : variants) {
            EntityExchangeResult<String> result = send.apply(body).expectBody(String.class).returnResult();
            String problem = result.getStatus().is5xxServerError() ? "status " + result.getStatus()
                    : JsonVariants.problem(result);
            if (problem != null) {
                failures.add(problem + ": " + result.getUrl() + " " + body);
            }
        }
    }

}
