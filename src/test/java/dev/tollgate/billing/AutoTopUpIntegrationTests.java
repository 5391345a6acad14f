package dev.tollgate.billing;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.http.MediaType;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.test.web.reactive.server.WebTestClient;
import org.springframework.web.reactive.function.client.ClientResponse;
import org.springframework.web.reactive.function.client.WebClient;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

import dev.tollgate.credits.CreditKind;
import dev.tollgate.credits.CreditService;
import dev.tollgate.testsupport.DashboardUser;
import dev.tollgate.testsupport.FakeUpstream;
import dev.tollgate.testsupport.IntegrationTest;
import dev.tollgate.testsupport.LedgerInvariant;
import dev.tollgate.testsupport.stripe.FakeStripe;
import dev.tollgate.testsupport.stripe.StripeRequest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Automatic top-up against the real database and the fake Stripe: a card saved at Checkout is charged off-session
 * once when the balance falls below the threshold, however many requests spend and however many checks run at once;
 * a decline is shown and not retried; a lost answer is retried with the same idempotency key and credited once.
 * Each tenant saves its card with a $5 top-up (cards are saved unless the tenant says not to), so it holds $15 with
 * the $10 signup bonus.
 */
@IntegrationTest
class AutoTopUpIntegrationTests {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private static final long START = 15_000_000;

    @Autowired
    WebTestClient client;

    @Autowired
    DatabaseClient db;

    @Autowired
    CreditService credits;

    @Autowired
    AutoTopUps autoTopUps;

    @LocalServerPort
    int port;

    final FakeStripe stripe = FakeStripe.shared();

    StripeWebhookClient webhooks;

    DashboardUser user;

    @BeforeEach
    void setUp() {
        stripe.reset();
        FakeUpstream.shared().reset();
        webhooks = new StripeWebhookClient(client);
        user = DashboardUser.signUp(client);
    }

    @AfterEach
    void moneyAddsUp() {
        new LedgerInvariant(db).holds();
    }

    @Test
    void aCardSavedAtCheckoutCanPayForAutomaticTopUps() {
        JsonNode before = user.getJson("/api/billing/auto-topup");
        assertThat(before.propertyNames()).containsExactlyInAnyOrder("enabled", "thresholdUsd", "amountUsd",
                "hasPaymentMethod", "lastError");
        assertThat(before.path("enabled").asBoolean()).isFalse();
        assertThat(before.path("thresholdUsd").isNull()).isTrue();
        assertThat(before.path("amountUsd").isNull()).isTrue();
        assertThat(before.path("hasPaymentMethod").asBoolean()).isFalse();

        String card = saveCard();
        assertThat(user.getJson("/api/billing/auto-topup").path("hasPaymentMethod").asBoolean()).isTrue();
        JsonNode saved = put(Map.of("enabled", true, "thresholdUsd", "2.50", "amountUsd", 20));

        assertThat(card).startsWith("pm_fake_");
        assertThat(saved.path("enabled").asBoolean()).isTrue();
        assertThat(saved.path("thresholdUsd").decimalValue()).isEqualByComparingTo("2.50");
        assertThat(saved.path("amountUsd").decimalValue()).isEqualByComparingTo("20");
        assertThat(saved.path("hasPaymentMethod").asBoolean()).isTrue();
        assertThat(saved.path("lastError").isNull()).isTrue();
        assertThat(user.getJson("/api/billing/auto-topup")).isEqualTo(saved);
    }

    @Test
    void invalidSettingsAreRefused() {
        putRaw(Map.of("enabled", true, "thresholdUsd", 5, "amountUsd", 1))
            .expectStatus().isBadRequest().expectBody().jsonPath("$.error.param").isEqualTo("amountUsd");
        putRaw(Map.of("enabled", true, "thresholdUsd", -1, "amountUsd", 10))
            .expectStatus().isBadRequest().expectBody().jsonPath("$.error.param").isEqualTo("thresholdUsd");
        putRaw(Map.of("enabled", true)).expectStatus().isBadRequest();
    }

    @Test
    void theBalanceFallingBelowTheThresholdTopsUpOnceUnderConcurrentSpending() {
        String card = saveCard();
        String key = user.createKey("spender");
        put(Map.of("enabled", true, "thresholdUsd", "15", "amountUsd", 20));

        // Forty requests spend at once while eight checks (as many instances would) race to top up.
        Mono<Void> spending = Flux.range(0, 40).flatMap(i -> chat(key), 40).then();
        Mono<Void> checking = Flux.range(0, 8)
            .flatMap(i -> Flux.range(0, 10).concatMap(j -> autoTopUps.checkNow()
                .then(Mono.delay(Duration.ofMillis(20))).then()).subscribeOn(Schedulers.parallel()), 8)
            .then();
        Mono.when(spending, checking).block(Duration.ofSeconds(60));

        await().atMost(Duration.ofSeconds(10)).until(() -> entries("auto_topup").size() == 1);
        assertThat(entries("usage")).isNotEmpty();
        List<StripeRequest> charges = chargesOf(customer());
        assertThat(charges).hasSize(1);
        assertThat(charges.get(0).form()).containsEntry("amount", "2088")   // $20 + 2.9 % + $0.30
            .containsEntry("currency", "usd")
            .containsEntry("confirm", "true")
            .containsEntry("off_session", "true")
            .containsEntry("payment_method", card)
            .containsEntry("metadata[tollgate_purpose]", "auto_topup")
            .containsEntry("metadata[tenant_id]", user.tenantId().toString())
            .containsEntry("metadata[credit_micros]", "20000000");
        assertThat(charges.get(0).header("Idempotency-Key")).startsWith("tollgate-auto-topup-");
        assertThat(entries("auto_topup")).containsExactly(20_000_000L);

        // Stripe's own event about the same PaymentIntent credits nothing more.
        String paymentIntent = db.sql("select payment_intent_id from auto_topup_attempt where tenant_id = :t")
            .bind("t", user.tenantId()).map(row -> row.get(0, String.class)).one().block();
        webhooks.deliver("payment_intent.succeeded", stripe.paymentIntent(paymentIntent));
        assertThat(entries("auto_topup")).containsExactly(20_000_000L);
        assertThat(user.getJson("/api/billing/auto-topup").path("lastError").isNull()).isTrue();
    }

    @Test
    void aDeclinedCardIsShownAndNotChargedAgainUntilTheTenantSavesItsSettings() {
        saveCard();
        stripe.declineNextCharge("Your card was declined.");
        put(Map.of("enabled", true, "thresholdUsd", "20", "amountUsd", 10));

        await().atMost(Duration.ofSeconds(10)).until(() -> "Your card was declined."
            .equals(user.getJson("/api/billing/auto-topup").path("lastError").stringValue()));
        for (int i = 0; i < 3; i++) {
            autoTopUps.checkNow().block(Duration.ofSeconds(10));
        }
        assertThat(chargesOf(customer())).hasSize(1);
        assertThat(entries("auto_topup")).isEmpty();

        put(Map.of("enabled", true, "thresholdUsd", "20", "amountUsd", 10));

        await().atMost(Duration.ofSeconds(10)).until(() -> entries("auto_topup").size() == 1);
        assertThat(chargesOf(customer())).hasSize(2);
        assertThat(balance()).isEqualTo(START + 10_000_000);
        assertThat(user.getJson("/api/billing/auto-topup").path("lastError").isNull()).isTrue();
    }

    @Test
    void aChargeWhoseAnswerWasLostIsTriedAgainWithTheSameIdempotencyKeyAndCreditedOnce() {
        saveCard();
        stripe.failNext("POST", "/v1/payment_intents", 500, "api_error", "An unknown error occurred");
        put(Map.of("enabled", true, "thresholdUsd", "20", "amountUsd", 10));

        await().atMost(Duration.ofSeconds(10)).until(() -> entries("auto_topup").size() == 1);
        List<StripeRequest> charges = chargesOf(customer());
        assertThat(charges).hasSize(2);
        assertThat(charges.get(1).header("Idempotency-Key")).isEqualTo(charges.get(0).header("Idempotency-Key"));
        assertThat(balance()).isEqualTo(START + 10_000_000);
    }

    /** Stripe down, then the tenant turns automatic top-up off: when Stripe is back, the card is not charged. */
    @Test
    void anAttemptLeftPendingIsCancelledWhenTheTenantNoLongerWantsIt() {
        saveCard();
        // Three tries fail (200, 400 and 800 ms apart): time enough for the tenant to turn it off.
        for (int i = 0; i < 3; i++) {
            stripe.failNext("POST", "/v1/payment_intents", 500, "api_error", "An unknown error occurred");
        }
        put(Map.of("enabled", true, "thresholdUsd", "20", "amountUsd", 10));
        await().atMost(Duration.ofSeconds(10)).until(() -> !chargesOf(customer()).isEmpty());

        put(Map.of("enabled", false, "thresholdUsd", "20", "amountUsd", 10));

        await().atMost(Duration.ofSeconds(10)).until(() -> "cancelled".equals(attemptStatus()));
        int tries = chargesOf(customer()).size();
        for (int i = 0; i < 3; i++) {
            autoTopUps.checkNow().block(Duration.ofSeconds(10));
        }
        assertThat(chargesOf(customer())).hasSize(tries).hasSizeLessThanOrEqualTo(3);
        assertThat(entries("auto_topup")).isEmpty();
        assertThat(balance()).isEqualTo(START);
    }

    /** Stripe down, then the payment that saved the card is refunded: the attempt waiting to retry charges nothing. */
    @Test
    void aRefundCancelsAnAttemptWaitingToBeTriedAgain() {
        saveCard();
        String paymentIntent = db.sql("select payment_intent_id from stripe_payment where tenant_id = :t")
            .bind("t", user.tenantId()).map(row -> row.get(0, String.class)).one().block();
        for (int i = 0; i < 3; i++) {
            stripe.failNext("POST", "/v1/payment_intents", 500, "api_error", "An unknown error occurred");
        }
        put(Map.of("enabled", true, "thresholdUsd", "20", "amountUsd", 10));
        await().atMost(Duration.ofSeconds(10)).until(() -> !chargesOf(customer()).isEmpty());

        long charged = stripe.paymentIntent(paymentIntent).path("amount").asLong();
        webhooks.deliver("charge.refunded", stripe.refund(paymentIntent, charged));

        assertThat(attemptStatus()).isEqualTo("cancelled");
        int tries = chargesOf(customer()).size();
        for (int i = 0; i < 3; i++) {
            autoTopUps.checkNow().block(Duration.ofSeconds(10));
        }
        assertThat(chargesOf(customer())).hasSize(tries).hasSizeLessThanOrEqualTo(3);
        assertThat(entries("auto_topup")).isEmpty();
        assertThat(balance()).isEqualTo(START - 5_000_000);
    }

    /** A revoked or rotated operator key is the operator's to mend: every tenant's attempt waits for it. */
    @Test
    void aChargeRefusedForTheOperatorsKeyIsTriedAgainNotFailed() {
        saveCard();
        stripe.failNext("POST", "/v1/payment_intents", 401, "invalid_request_error",
                "Invalid API Key provided: sk_test_****1234");
        put(Map.of("enabled", true, "thresholdUsd", "20", "amountUsd", 10));

        await().atMost(Duration.ofSeconds(10)).until(() -> entries("auto_topup").size() == 1);
        assertThat(chargesOf(customer())).hasSize(2);
        assertThat(balance()).isEqualTo(START + 10_000_000);
    }

    @Test
    void aDisputedPaymentStopsAutomaticTopUpAndForgetsTheCard() {
        saveCard();
        String paymentIntent = db.sql("select payment_intent_id from stripe_payment where tenant_id = :t")
            .bind("t", user.tenantId()).map(row -> row.get(0, String.class)).one().block();
        put(Map.of("enabled", true, "thresholdUsd", "1", "amountUsd", 10));

        webhooks.deliver("charge.dispute.funds_withdrawn", stripe.lostDispute(paymentIntent));

        JsonNode settings = user.getJson("/api/billing/auto-topup");
        assertThat(settings.path("enabled").asBoolean()).isFalse();
        assertThat(settings.path("hasPaymentMethod").asBoolean()).isFalse();
        assertThat(balance()).isEqualTo(START - 5_000_000);
    }

    /**
     * Stripe's events come in any order: a dispute delivered before the payment's own events (their deliveries kept
     * failing, say) left the card saved and automatic top-up on once the payment was credited and debited.
     */
    @Test
    void aDisputeBeforeThePaymentsOwnEventsStillForgetsTheCard() {
        byte[] body = user.post("/api/billing/checkout", Map.of("amountUsd", 5))
            .expectStatus().isOk().expectBody().returnResult().getResponseBody();
        String url = JSON.readTree(body).path("url").stringValue();
        ObjectNode session = stripe.completeCheckout(url.substring(url.lastIndexOf('/') + 1), true);
        ObjectNode intent = stripe.paymentIntent(session.path("payment_intent").stringValue());

        webhooks.deliver("charge.dispute.funds_withdrawn", stripe.lostDispute(intent.path("id").stringValue()));
        webhooks.deliver("checkout.session.completed", session);
        webhooks.deliver("payment_intent.succeeded", intent);

        JsonNode settings = user.getJson("/api/billing/auto-topup");
        assertThat(settings.path("hasPaymentMethod").asBoolean()).isFalse();
        assertThat(settings.path("enabled").asBoolean()).isFalse();
        assertThat(balance()).as("credited, then taken back").isEqualTo(START - 5_000_000);
    }

    /** A refund that charged the card straight back would undo itself; the next fall after it is topped up. */
    @Test
    void aRefundThatTakesTheBalanceBelowTheThresholdDoesNotChargeTheCardAgain() {
        saveCard();
        String paymentIntent = db.sql("select payment_intent_id from stripe_payment where tenant_id = :t")
            .bind("t", user.tenantId()).map(row -> row.get(0, String.class)).one().block();
        put(Map.of("enabled", true, "thresholdUsd", "12", "amountUsd", 10));

        long charged = stripe.paymentIntent(paymentIntent).path("amount").asLong();
        webhooks.deliver("charge.refunded", stripe.refund(paymentIntent, charged));
        for (int i = 0; i < 3; i++) {
            autoTopUps.checkNow().block(Duration.ofSeconds(10));
        }

        assertThat(balance()).as("$10 left, under the $12 threshold").isEqualTo(START - 5_000_000);
        assertThat(chargesOf(customer())).isEmpty();

        // Back above the threshold, then below it by spending: topped up as usual.
        credits.append(user.tenantId(), CreditKind.ADJUSTMENT, 10_000_000, null, "above").block(Duration.ofSeconds(10));
        autoTopUps.checkNow().block(Duration.ofSeconds(10));
        credits.append(user.tenantId(), CreditKind.ADJUSTMENT, -9_000_000, null, "spent").block(Duration.ofSeconds(10));
        await().atMost(Duration.ofSeconds(10)).until(() -> entries("auto_topup").size() == 1);
        assertThat(chargesOf(customer())).hasSize(1);
    }

    @Test
    void aTopUpThatLeavesTheBalanceBelowTheThresholdIsNotFollowedByAnotherUntilTheNextFall() {
        saveCard();
        put(Map.of("enabled", true, "thresholdUsd", "100", "amountUsd", 5));

        await().atMost(Duration.ofSeconds(10)).until(() -> entries("auto_topup").size() == 1);
        for (int i = 0; i < 5; i++) {
            autoTopUps.checkNow().block(Duration.ofSeconds(10));
        }
        assertThat(chargesOf(customer())).hasSize(1);
        assertThat(balance()).isEqualTo(START + 5_000_000);

        // Above the threshold, then below it again: a new fall, topped up once more.
        credits.append(user.tenantId(), CreditKind.ADJUSTMENT, 100_000_000, null, "above").block(Duration.ofSeconds(10));
        autoTopUps.checkNow().block(Duration.ofSeconds(10));
        credits.append(user.tenantId(), CreditKind.ADJUSTMENT, -50_000_000, null, "below").block(Duration.ofSeconds(10));
        await().atMost(Duration.ofSeconds(10)).until(() -> entries("auto_topup").size() == 2);
        assertThat(chargesOf(customer())).hasSize(2);
    }

    @Test
    void aTopUpAboveTheThresholdChargesNothing() {
        saveCard();
        put(Map.of("enabled", true, "thresholdUsd", "14.99", "amountUsd", 10));

        for (int i = 0; i < 3; i++) {
            autoTopUps.checkNow().block(Duration.ofSeconds(10));
        }

        assertThat(chargesOf(customer())).isEmpty();
    }

    @Test
    void aDebtLargerThanATopUpIsNotChargedAgainAndAgain() {
        saveCard();
        // What a refund or a postpaid period can leave behind: $500 owed.
        credits.append(user.tenantId(), CreditKind.ADJUSTMENT, -(balance() + 500_000_000), null, "debt")
            .block(Duration.ofSeconds(10));
        put(Map.of("enabled", true, "thresholdUsd", "20", "amountUsd", 10));

        for (int i = 0; i < 3; i++) {
            autoTopUps.checkNow().block(Duration.ofSeconds(10));
        }
        assertThat(chargesOf(customer())).isEmpty();
        assertThat(balance()).isEqualTo(-500_000_000);

        // A debt a top-up clears is topped up as any low balance is.
        credits.append(user.tenantId(), CreditKind.ADJUSTMENT, 495_000_000, null, "paid most of it")
            .block(Duration.ofSeconds(10));
        await().atMost(Duration.ofSeconds(10)).until(() -> !entries("auto_topup").isEmpty());
        assertThat(balance()).isPositive();
    }

    /** A $5 Checkout top-up that saves its card; returns the card's id. */
    private String saveCard() {
        byte[] body = user.post("/api/billing/checkout", Map.of("amountUsd", 5))
            .expectStatus().isOk().expectBody().returnResult().getResponseBody();
        String url = JSON.readTree(body).path("url").stringValue();
        ObjectNode session = stripe.completeCheckout(url.substring(url.lastIndexOf('/') + 1), true);
        ObjectNode intent = stripe.paymentIntent(session.path("payment_intent").stringValue());
        webhooks.deliver("payment_intent.succeeded", intent);
        webhooks.deliver("checkout.session.completed", session);
        assertThat(balance()).isEqualTo(START);
        return intent.path("payment_method").stringValue();
    }

    private JsonNode put(Map<String, ?> settings) {
        return JSON.readTree(putRaw(settings).expectStatus().isOk().expectBody()
            .returnResult().getResponseBody());
    }

    private WebTestClient.ResponseSpec putRaw(Map<String, ?> settings) {
        return DashboardPut.put(client, user, "/api/billing/auto-topup", settings);
    }

    private Mono<Void> chat(String key) {
        return WebClient.create("http://127.0.0.1:" + port).post().uri("/v1/chat/completions")
            .header("Authorization", "Bearer " + key)
            .contentType(MediaType.APPLICATION_JSON)
            .bodyValue(Map.of("model", "openai/gpt-4o-mini", "max_tokens", 10,
                    "messages", List.of(Map.of("role", "user", "content", "Count the letters of this sentence."))))
            // The subject is the top-up, not each call: spending is checked on the ledger below.
            .exchangeToMono(ClientResponse::releaseBody);
    }

    private String customer() {
        return db.sql("select customer_id from stripe_customer where tenant_id = :t").bind("t", user.tenantId())
            .map(row -> row.get(0, String.class)).one().block();
    }

    private List<StripeRequest> chargesOf(String customer) {
        return stripe.requests("POST", "/v1/payment_intents").stream()
            .filter(request -> customer.equals(request.param("customer"))).toList();
    }

    private @Nullable String attemptStatus() {
        return db.sql("select status from auto_topup_attempt where tenant_id = :t order by created_at desc limit 1")
            .bind("t", user.tenantId()).map(row -> row.get(0, String.class)).one().block();
    }

    private long balance() {
        return credits.balance(user.tenantId()).block().balanceMicros();
    }

    private List<Long> entries(String kind) {
        return db.sql("select amount_micros from ledger_entry where tenant_id = :t and kind = :kind order by id")
            .bind("t", user.tenantId()).bind("kind", kind).map(row -> row.get(0, Long.class)).all().collectList()
            .block();
    }

}
