package dev.tollgate.billing;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.MediaType;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.test.web.reactive.server.WebTestClient;
import reactor.core.publisher.Flux;
import tools.jackson.databind.JsonNode;

import dev.tollgate.testsupport.DashboardUser;
import dev.tollgate.testsupport.IntegrationTest;
import dev.tollgate.testsupport.stripe.FakeStripe;
import dev.tollgate.testsupport.stripe.StripeRequest;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Opening a Checkout Session: what the dashboard is told about prices, and what Tollgate asks Stripe for. The test
 * configuration has a fee of 2.9 % + $0.30 and limits of $5 to $1000.
 */
@IntegrationTest
class CheckoutIntegrationTests {

    @Autowired
    WebTestClient client;

    @Autowired
    DatabaseClient db;

    final FakeStripe stripe = FakeStripe.shared();

    DashboardUser user;

    @BeforeEach
    void setUp() {
        stripe.reset();
        user = DashboardUser.signUp(client);
    }

    @Test
    void theDashboardLearnsWhetherCardsWorkAndWhatATopUpCosts() {
        JsonNode config = user.getJson("/api/billing/config");

        assertThat(config.path("enabled").asBoolean()).isTrue();
        assertThat(config.path("minUsd").decimalValue()).isEqualByComparingTo("5");
        assertThat(config.path("maxUsd").decimalValue()).isEqualByComparingTo("1000");
        assertThat(config.path("feePercent").decimalValue()).isEqualByComparingTo("2.9");
        assertThat(config.path("feeFixedUsd").decimalValue()).isEqualByComparingTo("0.30");
        assertThat(config.propertyNames()).containsExactlyInAnyOrder("enabled", "minUsd", "maxUsd", "feePercent",
                "feeFixedUsd");
    }

    @Test
    void aCheckoutSessionBuysTheAmountPlusTheFeeForTheTenant() {
        JsonNode answer = checkout(Map.of("amountUsd", "25.50"));

        StripeRequest created = stripe.awaitRequests("POST", "/v1/checkout/sessions", 1).get(0);
        String tenant = user.tenantId().toString();
        assertThat(answer.path("url").stringValue()).startsWith("https://checkout.stripe.com/c/pay/cs_test_fake_");
        assertThat(answer.propertyNames()).containsExactly("url");
        assertThat(created.form()).containsEntry("mode", "payment")
            .containsEntry("client_reference_id", tenant)
            .containsEntry("metadata[tenant_id]", tenant)
            .containsEntry("metadata[tollgate_purpose]", "topup")
            .containsEntry("metadata[credit_micros]", "25500000")
            // 2.9 % of 2550 cents = 73.95 → 74, plus 30
            .containsEntry("metadata[fee_micros]", "1040000")
            .containsEntry("payment_intent_data[metadata][tenant_id]", tenant)
            .containsEntry("payment_intent_data[metadata][credit_micros]", "25500000")
            .containsEntry("line_items[0][price_data][currency]", "usd")
            .containsEntry("line_items[0][price_data][unit_amount]", "2550")
            .containsEntry("line_items[0][price_data][product_data][name]", "Tollgate credits")
            .containsEntry("line_items[0][quantity]", "1")
            .containsEntry("line_items[1][price_data][unit_amount]", "104")
            .containsEntry("line_items[1][price_data][product_data][name]", "Payment processing fee")
            .containsEntry("success_url",
                    "http://localhost:8080/credits?checkout=success&session_id={CHECKOUT_SESSION_ID}")
            .containsEntry("cancel_url", "http://localhost:8080/credits?checkout=cancel")
            // Saved for automatic top-up unless the tenant says no: the dashboard's "card of your last purchase".
            .containsEntry("payment_intent_data[setup_future_usage]", "off_session");
        assertThat(created.form().get("customer")).isEqualTo(customerOf(user));
        assertThat(created.header("Authorization")).isEqualTo("Bearer sk_test_tollgate_fake");
        assertThat(created.header("Content-Type")).startsWith("application/x-www-form-urlencoded");
        String session = answer.path("url").stringValue().substring("https://checkout.stripe.com/c/pay/".length());
        assertThat(stripe.session(session).path("amount_total").asLong()).isEqualTo(2654);
    }

    @Test
    void aTenantMayPayWithoutSavingItsCard() {
        checkout(Map.of("amountUsd", 10, "saveCard", false));

        StripeRequest created = stripe.awaitRequests("POST", "/v1/checkout/sessions", 1).get(0);
        assertThat(created.form()).doesNotContainKey("payment_intent_data[setup_future_usage]");
    }

    @Test
    void theTenantGetsOneStripeCustomerHoweverManyCheckoutsItOpensAtOnce() {
        Flux.range(0, 6)
            .flatMap(i -> reactor.core.publisher.Mono.fromCallable(() -> checkout(Map.of("amountUsd", 5 + i)))
                .subscribeOn(reactor.core.scheduler.Schedulers.boundedElastic()), 6)
            .blockLast(Duration.ofSeconds(30));

        List<StripeRequest> sessions = stripe.requests("POST", "/v1/checkout/sessions");
        assertThat(sessions).hasSize(6);
        assertThat(sessions).extracting(request -> request.param("customer")).containsOnly(customerOf(user));
        assertThat(stripe.requests("POST", "/v1/customers"))
            .allSatisfy(request -> assertThat(request.header("Idempotency-Key"))
                .isEqualTo("tollgate-customer-" + user.tenantId()))
            .extracting(request -> request.param("metadata[tenant_id]")).containsOnly(user.tenantId().toString());
        assertThat(db.sql("select count(*) from stripe_customer where tenant_id = :t").bind("t", user.tenantId())
            .map(row -> row.get(0, Long.class)).one().block()).isEqualTo(1);
    }

    @Test
    void amountsOutsideTheLimitsAreRefusedBeforeStripeIsAsked() {
        for (Object amount : List.of("4.99", "1000.01", "10.001", -5)) {
            user.post("/api/billing/checkout", Map.of("amountUsd", amount)).expectStatus().isBadRequest()
                .expectBody().jsonPath("$.error.param").isEqualTo("amountUsd");
        }
        user.post("/api/billing/checkout", Map.of("amountUsd", "ten")).expectStatus().isBadRequest();
        user.post("/api/billing/checkout", Map.of()).expectStatus().isBadRequest();

        assertThat(stripe.requests("POST", "/v1/checkout/sessions")).isEmpty();
    }

    @Test
    void checkoutNeedsASessionAndTheCsrfToken() {
        client.post().uri("/api/billing/checkout").contentType(MediaType.APPLICATION_JSON)
            .bodyValue(Map.of("amountUsd", 10)).exchange().expectStatus().isForbidden();
        client.post().uri("/api/billing/checkout").cookie("TOLLGATE_SESSION", user.session())
            .contentType(MediaType.APPLICATION_JSON).bodyValue(Map.of("amountUsd", 10))
            .exchange().expectStatus().isForbidden();
        client.get().uri("/api/billing/config").exchange().expectStatus().isUnauthorized();

        assertThat(stripe.requests("POST", "/v1/checkout/sessions")).isEmpty();
    }

    @Test
    void aStripeFailureIsA502AndOpensNothing() {
        checkout(Map.of("amountUsd", 5));
        stripe.reset();
        stripe.failNext("POST", "/v1/checkout/sessions", 500, "api_error", "Something went wrong on Stripe's end.");

        user.post("/api/billing/checkout", Map.of("amountUsd", 10)).expectStatus().isEqualTo(502)
            .expectBody().jsonPath("$.error.code").isEqualTo("stripe_unavailable");
    }

    private JsonNode checkout(Map<String, ?> body) {
        byte[] response = user.post("/api/billing/checkout", body).expectStatus().isOk().expectBody().returnResult()
            .getResponseBody();
        return tools.jackson.databind.json.JsonMapper.builder().build().readTree(response);
    }

    private String customerOf(DashboardUser owner) {
        return db.sql("select customer_id from stripe_customer where tenant_id = :t").bind("t", owner.tenantId())
            .map(row -> row.get(0, String.class)).one().block();
    }

}
