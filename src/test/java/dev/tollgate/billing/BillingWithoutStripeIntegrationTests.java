package dev.tollgate.billing;

import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.support.GenericApplicationContext;
import org.springframework.core.env.MapPropertySource;
import org.springframework.http.MediaType;
import org.springframework.http.client.ReactorResourceFactory;
import org.springframework.test.web.reactive.server.WebTestClient;
import tools.jackson.databind.JsonNode;

import dev.tollgate.TollgateApplication;
import dev.tollgate.testsupport.DashboardUser;
import dev.tollgate.testsupport.TestEnvironment;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tollgate with no Stripe keys, as a fresh install runs: it starts, says card payments are off, answers top-ups with
 * a clear 503, and the operator can still grant credits. Its own application (the shared test one has Stripe keys),
 * on the shared test database.
 */
class BillingWithoutStripeIntegrationTests {

    static ConfigurableApplicationContext app;

    static WebTestClient client;

    @BeforeAll
    static void start() {
        app = new SpringApplicationBuilder(TollgateApplication.class)
            .initializers(new TestEnvironment(), context -> {
                context.getEnvironment().getPropertySources().addFirst(new MapPropertySource("no-stripe", Map.of(
                        "server.port", "0", "tollgate.stripe.secret-key", "", "tollgate.stripe.webhook-secret", "")));
                // Its own event loops: closing it must not dispose the JVM-wide ones the shared context uses.
                ((GenericApplicationContext) context).registerBean(ReactorResourceFactory.class, () -> {
                    ReactorResourceFactory resources = new ReactorResourceFactory();
                    resources.setUseGlobalResources(false);
                    return resources;
                });
            })
            .run();
        int port = ((WebServerApplicationContext) app).getWebServer().getPort();
        client = WebTestClient.bindToServer().baseUrl("http://127.0.0.1:" + port).build();
    }

    @AfterAll
    static void stop() {
        app.close();
    }

    @Test
    void theDashboardIsToldThatCardPaymentsAreOff() {
        JsonNode config = DashboardUser.signUp(client).getJson("/api/billing/config");

        assertThat(config.path("enabled").asBoolean()).isFalse();
        assertThat(config.path("minUsd").decimalValue()).isEqualByComparingTo("5");
    }

    @Test
    void topUpsAndAutomaticTopUpAnswerThatBillingIsNotConfigured() {
        DashboardUser user = DashboardUser.signUp(client);

        user.post("/api/billing/checkout", Map.of("amountUsd", 10)).expectStatus().isEqualTo(503)
            .expectBody()
            .jsonPath("$.error.code").isEqualTo("billing_not_configured")
            .jsonPath("$.error.message").value(message -> assertThat((String) message).contains("operator"));
        DashboardPut.put(client, user, "/api/billing/auto-topup",
                Map.of("enabled", true, "thresholdUsd", 5, "amountUsd", 10))
            .expectStatus().isEqualTo(503);
        client.post().uri("/api/billing/stripe-webhook").header("Stripe-Signature", "t=1,v1=00")
            .contentType(MediaType.APPLICATION_JSON).bodyValue("{}").exchange()
            .expectStatus().isEqualTo(503);
    }

    @Test
    void theOperatorStillGrantsCredits() {
        DashboardUser user = DashboardUser.signUp(client);
        DashboardUser operator = DashboardUser.signUpAs(client, TestEnvironment.OPERATOR_EMAIL);

        operator.post("/api/operator/tenants/" + user.tenantId() + "/credits",
                Map.of("amountUsd", "20", "reason", "paid by bank transfer")).expectStatus().isCreated();

        assertThat(user.getJson("/api/credits").path("balanceMicros").asLong()).isEqualTo(30_000_000L);
    }

}
