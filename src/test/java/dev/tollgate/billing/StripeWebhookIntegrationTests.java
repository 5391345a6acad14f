package dev.tollgate.billing;

import java.math.BigInteger;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.http.MediaType;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.test.web.reactive.server.WebTestClient;
import org.springframework.web.reactive.function.client.WebClient;
import reactor.core.publisher.Flux;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

import dev.tollgate.credits.CreditService;
import dev.tollgate.testsupport.DashboardUser;
import dev.tollgate.testsupport.IntegrationTest;
import dev.tollgate.testsupport.LedgerInvariant;
import dev.tollgate.testsupport.TestEnvironment;
import dev.tollgate.testsupport.stripe.FakeStripe;
import dev.tollgate.testsupport.stripe.StripeEvents;
import dev.tollgate.testsupport.stripe.StripeWebhookSigner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Stripe's webhooks against the real database: a paid Checkout Session is credited exactly once whatever the number,
 * order or concurrency of deliveries, refunds are debited once, and anything not signed by Stripe changes nothing.
 * Every tenant starts with the $10 signup bonus; a $25.50 top-up is charged $26.54 (2.9 % + $0.30 fee).
 */
@IntegrationTest
class StripeWebhookIntegrationTests {

    private static final long BONUS = 10_000_000;

    private static final long CREDIT = 25_500_000;

    private static final JsonMapper JSON = JsonMapper.builder().build();

    @Autowired
    WebTestClient client;

    @Autowired
    DatabaseClient db;

    @Autowired
    CreditService credits;

    @LocalServerPort
    int port;

    final FakeStripe stripe = FakeStripe.shared();

    StripeWebhookClient webhooks;

    DashboardUser user;

    @BeforeEach
    void setUp() {
        stripe.reset();
        webhooks = new StripeWebhookClient(client);
        user = DashboardUser.signUp(client);
    }

    @AfterEach
    void moneyAddsUp() {
        new LedgerInvariant(db).holds();
    }

    @Test
    void aPaidCheckoutIsCreditedFromTheVerifiedSessionWithinFiveSeconds() {
        String session = openCheckout("25.50");

        webhooks.deliver("checkout.session.completed", stripe.completeCheckout(session, true));

        await().atMost(Duration.ofSeconds(5)).until(() -> balance() == BONUS + CREDIT);
        assertThat(topUps()).containsExactly(Map.of("kind", "topup", "amount_micros", CREDIT, "external_ref", session));
        assertThat(user.getJson("/api/credits").path("entries").get(0).path("kind").stringValue()).isEqualTo("topup");
    }

    @Test
    void oneEventDeliveredFiveTimesAtOnceCreditsOnce() {
        String session = openCheckout("25.50");
        String payload = StripeEvents.payload(StripeEvents.newId(), "checkout.session.completed",
                stripe.completeCheckout(session, true));
        WebClient web = WebClient.create("http://127.0.0.1:" + port);

        List<Integer> statuses = Flux.range(0, 5)
            .flatMap(i -> web.post().uri("/api/billing/stripe-webhook")
                .header("Stripe-Signature", StripeWebhookClient.signedNow(payload))
                .contentType(MediaType.APPLICATION_JSON)
                .bodyValue(payload)
                .exchangeToMono(response -> response.releaseBody().thenReturn(response.statusCode().value())), 5)
            .collectList()
            .block(Duration.ofSeconds(30));

        assertThat(statuses).containsOnly(200);
        assertThat(balance()).isEqualTo(BONUS + CREDIT);
        assertThat(topUps()).hasSize(1);
    }

    @Test
    void aRedeliveryIsAnsweredAsADuplicateAndChangesNothing() {
        String session = openCheckout("25.50");
        String payload = StripeEvents.payload(StripeEvents.newId(), "checkout.session.completed",
                stripe.completeCheckout(session, true));

        webhooks.post(payload, StripeWebhookClient.signedNow(payload)).expectStatus().isOk()
            .expectBody().jsonPath("$.duplicate").isEqualTo(false);
        webhooks.post(payload, StripeWebhookClient.signedNow(payload)).expectStatus().isOk()
            .expectBody().jsonPath("$.duplicate").isEqualTo(true);

        assertThat(balance()).isEqualTo(BONUS + CREDIT);
    }

    @Test
    void aDelayedPaymentIsCreditedOnceWhenItSucceedsEvenIfThatEventArrivesFirst() {
        String session = openCheckout("25.50");
        ObjectNode completedUnpaid = stripe.completeCheckout(session, false);
        ObjectNode succeeded = stripe.asyncPaymentSucceeded(session);

        webhooks.deliver("checkout.session.async_payment_succeeded", succeeded);
        webhooks.deliver("checkout.session.completed", completedUnpaid);

        assertThat(balance()).isEqualTo(BONUS + CREDIT);
        assertThat(topUps()).hasSize(1);
    }

    @Test
    void anUnpaidCompletionCreditsNothingUntilThePaymentSucceeds() {
        String session = openCheckout("25.50");

        webhooks.deliver("checkout.session.completed", stripe.completeCheckout(session, false));
        assertThat(balance()).isEqualTo(BONUS);

        webhooks.deliver("checkout.session.async_payment_succeeded", stripe.asyncPaymentSucceeded(session));
        assertThat(balance()).isEqualTo(BONUS + CREDIT);
    }

    @Test
    void bothEventsOfOnePaidSessionCreditItOnce() {
        String session = openCheckout("25.50");
        ObjectNode paid = stripe.completeCheckout(session, true);

        webhooks.deliver("checkout.session.completed", paid);
        webhooks.deliver("checkout.session.async_payment_succeeded", paid);
        webhooks.deliver("checkout.session.completed", paid);

        assertThat(topUps()).hasSize(1);
        assertThat(balance()).isEqualTo(BONUS + CREDIT);
    }

    @Test
    void forgedStaleOrMalformedEventsAreRefusedAndChangeNothing() {
        String session = openCheckout("25.50");
        String eventId = StripeEvents.newId();
        String payload = StripeEvents.payload(eventId, "checkout.session.completed",
                stripe.completeCheckout(session, true));
        long now = Instant.now().getEpochSecond();

        webhooks.post(payload, StripeWebhookSigner.header(payload, "whsec_forged", now)).expectStatus().isBadRequest()
            .expectBody().jsonPath("$.error.code").isEqualTo("invalid_webhook");
        webhooks.post(payload, StripeWebhookSigner.header(payload, TestEnvironment.STRIPE_WEBHOOK_SECRET, now - 600))
            .expectStatus().isBadRequest();
        webhooks.post(payload.replace("\"amount_total\":2654", "\"amount_total\":99999"),
                StripeWebhookClient.signedNow(payload)).expectStatus().isBadRequest();
        webhooks.post("{\"id\":", StripeWebhookClient.signedNow("{\"id\":")).expectStatus().isBadRequest();
        client.post().uri("/api/billing/stripe-webhook").contentType(MediaType.APPLICATION_JSON).bodyValue(payload)
            .exchange().expectStatus().isBadRequest();

        assertThat(balance()).isEqualTo(BONUS);
        assertThat(db.sql("select count(*) from stripe_event where id = :id").bind("id", eventId)
            .map(row -> row.get(0, Long.class)).one().block()).isZero();

        // The refused deliveries did not use the event up: Stripe's genuine delivery is still credited.
        webhooks.post(payload, StripeWebhookClient.signedNow(payload)).expectStatus().isOk();
        assertThat(balance()).isEqualTo(BONUS + CREDIT);
    }

    @Test
    void aRefundDebitsTheRefundedCreditsOnce() {
        String paymentIntent = paidCheckout();

        ObjectNode refunded = stripe.refund(paymentIntent, 2654);
        webhooks.deliver("charge.refunded", refunded);
        webhooks.deliver("charge.refunded", refunded);

        assertThat(balance()).isEqualTo(BONUS);
        assertThat(entries("refund")).containsExactly(-CREDIT);
    }

    @Test
    void aDisputeThatWithdrewTheFundsTakesTheCreditsBackOnceWhateverWasRefunded() {
        String paymentIntent = paidCheckout();
        // A partial refund first (1000 / 2654 of $25.50 = 9,608,139 micros), then the cardholder disputes the charge.
        webhooks.deliver("charge.refunded", stripe.refund(paymentIntent, 1000));

        ObjectNode dispute = stripe.lostDispute(paymentIntent);
        webhooks.deliver("charge.dispute.funds_withdrawn", dispute);
        webhooks.deliver("charge.dispute.funds_withdrawn", dispute);
        webhooks.deliver("charge.refunded", stripe.refund(paymentIntent, 1500));

        assertThat(balance()).isEqualTo(BONUS);
        assertThat(entries("refund")).containsExactly(-9_608_139L, -(CREDIT - 9_608_139L));
    }

    @Test
    void partialRefundsDeliveredOutOfOrderDebitTheirShareOnce() {
        String paymentIntent = paidCheckout();
        ObjectNode first = stripe.refund(paymentIntent, 1000);
        ObjectNode second = stripe.refund(paymentIntent, 1500);

        webhooks.deliver("charge.refunded", second);
        webhooks.deliver("charge.refunded", first);

        // 1500 / 2654 of $25.50 = 14.412208… → 14,412,208 micros, however the two refunds arrived.
        assertThat(entries("refund")).containsExactly(-14_412_208L);
        assertThat(balance()).isEqualTo(BONUS + CREDIT - 14_412_208L);
    }

    @Test
    void aRefundDeliveredBeforeItsPaymentIsDebitedWhenThePaymentIsCredited() {
        String session = openCheckout("25.50");
        ObjectNode paid = stripe.completeCheckout(session, true);
        ObjectNode refunded = stripe.refund(paid.path("payment_intent").stringValue(), 2654);

        webhooks.deliver("charge.refunded", refunded);
        assertThat(balance()).isEqualTo(BONUS);
        webhooks.deliver("checkout.session.completed", paid);

        assertThat(entries("topup")).containsExactly(CREDIT);
        assertThat(entries("refund")).containsExactly(-CREDIT);
        assertThat(balance()).isEqualTo(BONUS);
    }

    @Test
    void aSessionThatDidNotChargeWhatTollgateAskedIsNotCredited() {
        String session = openCheckout("25.50");
        ObjectNode paid = stripe.completeCheckout(session, true);
        paid.put("amount_total", 100);

        webhooks.deliver("checkout.session.completed", paid);

        assertThat(balance()).isEqualTo(BONUS);
    }

    /**
     * Amounts no payment has, acknowledged (Stripe would otherwise redeliver them for days) and not credited: one beyond
     * a long, and one whose micro-dollars wrap around to what Tollgate asked (2654 + 2⁶⁰ cents times 10,000 is 26,540,000
     * modulo 2⁶⁴).
     */
    @ParameterizedTest
    @ValueSource(strings = { "9223372036854775808", "1152921504606849630" })
    void aSessionWithAnAmountBeyondAnyPaymentIsAcknowledgedAndNotCredited(String cents) {
        String session = openCheckout("25.50");
        ObjectNode paid = stripe.completeCheckout(session, true);
        paid.put("amount_total", new BigInteger(cents));

        webhooks.deliver("checkout.session.completed", paid);

        assertThat(balance()).isEqualTo(BONUS);
        assertThat(entries("topup")).isEmpty();
    }

    @Test
    void aRefundOfAnAmountBeyondALongIsAcknowledgedAndDebitsNothing() {
        String session = openCheckout("25.50");
        ObjectNode paid = stripe.completeCheckout(session, true);
        webhooks.deliver("checkout.session.completed", paid);
        ObjectNode refunded = stripe.refund(paid.path("payment_intent").stringValue(), 2654);
        refunded.put("amount_refunded", new BigInteger("9223372036854775808"));

        webhooks.deliver("charge.refunded", refunded);

        assertThat(entries("refund")).isEmpty();
        assertThat(balance()).isEqualTo(BONUS + CREDIT);
    }

    @Test
    void aSessionWhoseTenantFieldsDisagreeIsNotCredited() {
        DashboardUser other = DashboardUser.signUp(client);
        String session = openCheckout("25.50");
        ObjectNode paid = stripe.completeCheckout(session, true);
        paid.put("client_reference_id", other.tenantId().toString());

        webhooks.deliver("checkout.session.completed", paid);

        assertThat(balance()).isEqualTo(BONUS);
        assertThat(credits.balance(other.tenantId()).block().balanceMicros()).isEqualTo(BONUS);
    }

    @Test
    void aPaymentInAnotherCurrencyIsCreditedFromItsUsdAmount() {
        String session = openCheckout("25.50");
        ObjectNode paid = stripe.completeCheckout(session, true);
        // Adaptive Pricing: the payer paid in euros; Stripe gives the USD amount in currency_conversion.
        paid.put("currency", "eur");
        paid.put("amount_total", 2450);
        paid.putObject("currency_conversion").put("amount_subtotal", 2654).put("amount_total", 2654)
            .put("fx_rate", "1.083").put("source_currency", "usd");

        webhooks.deliver("checkout.session.completed", paid);

        assertThat(balance()).isEqualTo(BONUS + CREDIT);
    }

    @Test
    void otherApplicationsSessionsAndUnknownEventsAreAcknowledgedAndIgnored() {
        ObjectNode foreign = stripe.session(openCheckout("25.50")).deepCopy();
        foreign.put("payment_status", "paid");
        foreign.putObject("metadata");

        webhooks.deliver("checkout.session.completed", foreign);
        webhooks.deliver("customer.created", JSON.createObjectNode().put("id", "cus_x").put("object", "customer"));

        assertThat(balance()).isEqualTo(BONUS);
    }

    /** A $25.50 top-up paid and credited; returns its PaymentIntent. */
    private String paidCheckout() {
        ObjectNode paid = stripe.completeCheckout(openCheckout("25.50"), true);
        webhooks.deliver("checkout.session.completed", paid);
        return paid.path("payment_intent").stringValue();
    }

    private String openCheckout(String amountUsd) {
        byte[] body = user.post("/api/billing/checkout", Map.of("amountUsd", amountUsd)).expectStatus().isOk()
            .expectBody().returnResult().getResponseBody();
        String url = JSON.readTree(body).path("url").stringValue();
        return url.substring(url.lastIndexOf('/') + 1);
    }

    private long balance() {
        return credits.balance(user.tenantId()).block().balanceMicros();
    }

    private List<Map<String, Object>> topUps() {
        return db.sql("select kind, amount_micros, external_ref from ledger_entry where tenant_id = :t and kind = 'topup'")
            .bind("t", user.tenantId()).fetch().all().collectList().block();
    }

    private List<Long> entries(String kind) {
        return db.sql("select amount_micros from ledger_entry where tenant_id = :t and kind = :kind order by id")
            .bind("t", user.tenantId()).bind("kind", kind).map(row -> row.get(0, Long.class)).all().collectList()
            .block();
    }

}
