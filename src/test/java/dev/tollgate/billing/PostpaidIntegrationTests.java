package dev.tollgate.billing;

import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.http.MediaType;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.test.web.reactive.server.WebTestClient;
import org.springframework.web.reactive.function.client.WebClient;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import dev.tollgate.credits.CreditService;
import dev.tollgate.testsupport.DashboardUser;
import dev.tollgate.testsupport.FakeUpstream;
import dev.tollgate.testsupport.IntegrationTest;
import dev.tollgate.testsupport.LedgerInvariant;
import dev.tollgate.testsupport.SecondInstance;
import dev.tollgate.testsupport.TestEnvironment;
import dev.tollgate.testsupport.stripe.FakeStripe;
import dev.tollgate.testsupport.stripe.StripeRequest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Postpaid tenants: never refused for lack of balance, their usage recorded as for anyone and reported to Stripe as
 * Billing Meter events (micro-dollars), retried until Stripe has it, counted once, and reconciled with the request log
 * to the micro-dollar.
 */
@IntegrationTest
class PostpaidIntegrationTests {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private static final String METER_EVENTS = "/v1/billing/meter_events";

    @Autowired
    WebTestClient client;

    @Autowired
    DatabaseClient db;

    @Autowired
    CreditService credits;

    @Autowired
    MeterReporter reporter;

    @LocalServerPort
    int port;

    final FakeStripe stripe = FakeStripe.shared();

    DashboardUser operator;

    DashboardUser user;

    String key;

    OffsetDateTime started;

    @BeforeEach
    void setUp() {
        stripe.reset();
        FakeUpstream.shared().reset();
        started = OffsetDateTime.now(ZoneOffset.UTC).minusSeconds(1);
        operator = DashboardUser.signUpAs(client, TestEnvironment.OPERATOR_EMAIL);
        user = DashboardUser.signUp(client);
        key = user.createKey("postpaid");
        // Nothing left to spend: the $10 signup bonus is taken back.
        operator.post("/api/operator/tenants/" + user.tenantId() + "/credits",
                Map.of("amountUsd", -10, "reason", "no prepaid credit")).expectStatus().isCreated();
    }

    @AfterEach
    void moneyAddsUp() {
        new LedgerInvariant(db).holds();
    }

    @Test
    void theOperatorSetsATenantsPlanAndAPostpaidTenantGetsAStripeCustomer() {
        JsonNode before = operator.getJson("/api/operator/tenants/" + user.tenantId() + "/plan");
        assertThat(before.path("plan").stringValue()).isEqualTo("prepaid");
        assertThat(before.path("since").isNull()).isTrue();

        JsonNode postpaid = plan(user, "postpaid");

        assertThat(postpaid.path("tenantId").stringValue()).isEqualTo(user.tenantId().toString());
        assertThat(postpaid.path("plan").stringValue()).isEqualTo("postpaid");
        assertThat(postpaid.path("since").isString()).isTrue();
        assertThat(postpaid.path("stripeCustomerId").stringValue()).startsWith("cus_fake_");
        assertThat(operator.getJson("/api/operator/tenants/" + user.tenantId() + "/plan")).isEqualTo(postpaid);
    }

    /** A postpaid tenant's usage is invoiced and debited: credits it bought would pay for invoiced usage again. */
    @Test
    void aPostpaidTenantCannotBuyCredits() {
        plan(user, "postpaid");

        user.post("/api/billing/checkout", Map.of("amountUsd", 20)).expectStatus().isEqualTo(409)
            .expectBody().jsonPath("$.error.code").isEqualTo("postpaid_plan");
        assertThat(stripe.requests("POST", "/v1/checkout/sessions")).isEmpty();

        plan(user, "prepaid");
        user.post("/api/billing/checkout", Map.of("amountUsd", 20)).expectStatus().isOk()
            .expectBody().jsonPath("$.url").exists();
    }

    @Test
    void onlyTheOperatorChangesPlansAndOnlyToKnownOnes() {
        DashboardPut.put(client, user, "/api/operator/tenants/" + user.tenantId() + "/plan", Map.of("plan", "postpaid"))
            .expectStatus().isForbidden();
        DashboardPut.put(client, operator, "/api/operator/tenants/" + user.tenantId() + "/plan",
                Map.of("plan", "free")).expectStatus().isBadRequest().expectBody().jsonPath("$.error.param")
            .isEqualTo("plan");
        DashboardPut.put(client, operator, "/api/operator/tenants/" + java.util.UUID.randomUUID() + "/plan",
                Map.of("plan", "postpaid")).expectStatus().isNotFound();
    }

    @Test
    void aPostpaidTenantIsNeverRefusedForLackOfBalanceAndAPrepaidOneIs() {
        assertThat(status(chat(key).block())).isEqualTo(402);

        plan(user, "postpaid");
        List<Integer> statuses = Flux.range(0, 30).flatMap(i -> chat(key), 15).map(this::status).collectList()
            .block(Duration.ofSeconds(60));

        assertThat(statuses).hasSize(30).doesNotContain(402);
        long answered = statuses.stream().filter(status -> status == 200).count();
        assertThat(answered).isPositive();
        await().atMost(Duration.ofSeconds(5)).until(() -> usageDebits() == answered);
        long charged = requestLogCharges();
        assertThat(credits.balance(user.tenantId()).block().balanceMicros()).isEqualTo(-charged);

        plan(user, "prepaid");
        assertThat(status(chat(key).block())).isEqualTo(402);
    }

    @Test
    void anotherInstanceLetsAPostpaidTenantThroughWithoutWaitingForItsRefresh() {
        try (SecondInstance second = SecondInstance.start()) {
            assertThat(status(chat(second.baseUrl(), key).block())).isEqualTo(402);

            plan(user, "postpaid");

            await().atMost(Duration.ofSeconds(2)).pollInterval(Duration.ofMillis(100))
                .until(() -> status(chat(second.baseUrl(), key).block()) == 200);
        }
    }

    @Test
    void aPostpaidTenantsKeyLimitsStillApply() {
        plan(user, "postpaid");
        String limited = user.createKeyJson(Map.of("name", "limited", "creditLimitUsd", "0.000015")).path("key")
            .stringValue();

        assertThat(status(chat(limited).block())).isEqualTo(200);
        JsonNode refused = JSON.readTree(chat(limited).flatMap(r -> r.bodyToMono(String.class)).block());
        assertThat(refused.path("error").path("code").stringValue()).isEqualTo("key_limit_reached");
    }

    @Test
    void postpaidUsageIsReportedToStripeAndReconciledToTheMicroDollar() {
        // Two prepaid calls first (paid from a credit): they are not the postpaid period's and are not reported.
        operator.post("/api/operator/tenants/" + user.tenantId() + "/credits",
                Map.of("amountUsd", 1, "reason", "prepaid calls")).expectStatus().isCreated();
        Flux.range(0, 2).concatMap(i -> chat(key)).blockLast(Duration.ofSeconds(30));
        await().atMost(Duration.ofSeconds(5)).until(() -> usageDebits() == 2);
        String customer = plan(user, "postpaid").path("stripeCustomerId").stringValue();

        Flux.range(0, 25).flatMap(i -> chat(key), 10).blockLast(Duration.ofSeconds(60));
        await().atMost(Duration.ofSeconds(5)).until(() -> usageDebits() == 27);

        JsonNode reconciliation = awaitReconciled();
        long postpaidCharges = requestLogCharges() - firstCharges(2);
        assertThat(reconciliation.path("requests").asLong()).isEqualTo(25);
        assertThat(reconciliation.path("requestLogMicros").asLong()).isEqualTo(postpaidCharges).isPositive();
        assertThat(reconciliation.path("reportedMicros").asLong()).isEqualTo(postpaidCharges);
        assertThat(reconciliation.path("pendingMicros").asLong()).isZero();
        assertThat(reconciliation.path("unqueuedMicros").asLong()).isZero();
        // What Stripe's meter sums for the customer is the request log's total, to the micro-dollar.
        assertThat(stripe.meteredValue(customer)).isEqualTo(postpaidCharges);
        StripeRequest sent = stripe.requests("POST", METER_EVENTS).stream()
            .filter(request -> customer.equals(request.param("payload[stripe_customer_id]"))).findFirst().orElseThrow();
        assertThat(sent.form()).containsEntry("event_name", "tollgate_usage_micros").containsKeys("payload[value]",
                "timestamp");
        assertThat(sent.param("identifier")).startsWith("tollgate-" + user.tenantId() + "-");
    }

    @Test
    void aMeterEventWhoseFirstSendFailsIsSentAgainAndCountedOnce() {
        String customer = plan(user, "postpaid").path("stripeCustomerId").stringValue();
        // Stripe records the first send but its answer is lost; then one send fails outright.
        stripe.failNextWhere("POST", METER_EVENTS, "payload[stripe_customer_id]", customer, true);
        stripe.failNextWhere("POST", METER_EVENTS, "payload[stripe_customer_id]", customer, false);

        chat(key).block(Duration.ofSeconds(30));
        await().atMost(Duration.ofSeconds(5)).until(() -> usageDebits() == 1);

        JsonNode reconciliation = awaitReconciled();
        List<StripeRequest> sends = stripe.requests("POST", METER_EVENTS).stream()
            .filter(request -> customer.equals(request.param("payload[stripe_customer_id]"))).toList();
        assertThat(sends).hasSize(3);
        assertThat(sends).extracting(request -> request.param("identifier")).containsOnly(sends.get(0)
            .param("identifier"));
        assertThat(stripe.meterEventsOf(customer)).hasSize(1);
        assertThat(stripe.meteredValue(customer)).isEqualTo(requestLogCharges())
            .isEqualTo(reconciliation.path("reportedMicros").asLong());
        assertThat(db.sql("select attempts from meter_report where tenant_id = :t").bind("t", user.tenantId())
            .map(row -> row.get(0, Integer.class)).all().collectList().block()).containsExactly(3);
    }

    @Test
    void reconciliationShowsUsageStripeHasNotAcknowledgedYet() {
        String customer = plan(user, "postpaid").path("stripeCustomerId").stringValue();
        for (int i = 0; i < 3; i++) {
            stripe.failNextWhere("POST", METER_EVENTS, "payload[stripe_customer_id]", customer, false);
        }

        chat(key).block(Duration.ofSeconds(30));

        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            JsonNode pending = reconciliation();
            assertThat(pending.path("reconciled").asBoolean()).isFalse();
            assertThat(pending.path("pendingMicros").asLong()).isEqualTo(requestLogCharges()).isPositive();
            assertThat(pending.path("failingReports").path(0).path("lastError").asString(""))
                .isEqualTo("An unknown error occurred");
        });
        JsonNode reconciled = awaitReconciled();
        assertThat(reconciled.path("reportedMicros").asLong()).isEqualTo(requestLogCharges());
        assertThat(reconciled.path("failingReports")).isEmpty();
    }

    /**
     * A round used to group at most 10,000 calls and send at most one batch (100) of meter events, so a backlog beyond
     * that (600 postpaid tenants calling every minute) grew without end. A round now goes on while it finds a full load.
     */
    @Test
    void oneRoundSendsABacklogLargerThanABatch() {
        String customer = plan(user, "postpaid").path("stripeCustomerId").stringValue();
        reporter.stop();
        try {
            // Usage in 250 different minutes: a meter event each, two and a half batches.
            db.sql("""
                    insert into meter_usage (request_id, tenant_id, charge_micros, created_at)
                    select gen_random_uuid(), :tenant, 7, now() - make_interval(mins => minute)
                    from generate_series(1, 250) minute""")
                .bind("tenant", user.tenantId()).then().block();

            reporter.reportNow().block(Duration.ofSeconds(60));

            assertThat(stripe.meterEventsOf(customer)).hasSize(250);
            assertThat(stripe.meteredValue(customer)).isEqualTo(250 * 7);
        }
        finally {
            reporter.start();
        }
    }

    @Test
    void reportersRunningAtOnceSendEachMeterEventOnce() {
        String customer = plan(user, "postpaid").path("stripeCustomerId").stringValue();

        Mono<Void> traffic = Flux.range(0, 20).flatMap(i -> chat(key), 10).then();
        Mono<Void> reporters = Flux.range(0, 6)
            .flatMap(i -> Flux.range(0, 15).concatMap(j -> reporter.reportNow()
                .then(Mono.delay(Duration.ofMillis(10))).then()), 6)
            .then();
        Mono.when(traffic, reporters).block(Duration.ofSeconds(60));

        awaitReconciled();
        List<String> identifiers = stripe.requests("POST", METER_EVENTS).stream()
            .filter(request -> customer.equals(request.param("payload[stripe_customer_id]")))
            .map(request -> request.param("identifier")).toList();
        assertThat(identifiers).doesNotHaveDuplicates();
        assertThat(stripe.meteredValue(customer)).isEqualTo(requestLogCharges());
    }

    @Test
    void aReportLeftClaimedByAnInstanceThatDiedIsSentByAnother() {
        String customer = plan(user, "postpaid").path("stripeCustomerId").stringValue();
        // As a crashed instance leaves it: grouped, claimed once, never answered, its claim now expired.
        String identifier = "tollgate-" + user.tenantId() + "-crashed";
        db.sql("""
                insert into meter_report (tenant_id, identifier, value_micros, event_time, attempts, next_attempt_at)
                values (:tenant, :identifier, 1234, now() - interval '1 minute', 1, now() - interval '1 second')""")
            .bind("tenant", user.tenantId()).bind("identifier", identifier).then().block();

        await().atMost(Duration.ofSeconds(10)).until(() -> "sent".equals(db.sql(
                "select status from meter_report where identifier = :identifier").bind("identifier", identifier)
            .map(row -> row.get(0, String.class)).one().block()));
        assertThat(stripe.meteredValue(customer)).isEqualTo(1234);
    }

    private JsonNode awaitReconciled() {
        return await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(100))
            .until(this::reconciliation, report -> report.path("reconciled").asBoolean()
                    && report.path("pendingMicros").asLong() == 0);
    }

    private JsonNode reconciliation() {
        return operator.getJson("/api/operator/billing/reconciliation?tenantId=" + user.tenantId() + "&from="
                + started + "&to=" + OffsetDateTime.now(ZoneOffset.UTC).plusMinutes(1));
    }

    private JsonNode plan(DashboardUser tenant, String plan) {
        return JSON.readTree(DashboardPut.put(client, operator, "/api/operator/tenants/" + tenant.tenantId() + "/plan",
                Map.of("plan", plan)).expectStatus().isOk().expectBody().returnResult().getResponseBody());
    }

    private Mono<org.springframework.web.reactive.function.client.ClientResponse> chat(String apiKey) {
        return chat("http://127.0.0.1:" + port, apiKey);
    }

    private Mono<org.springframework.web.reactive.function.client.ClientResponse> chat(String instance,
            String apiKey) {
        return WebClient.create(instance).post().uri("/v1/chat/completions")
            .header("Authorization", "Bearer " + apiKey)
            .contentType(MediaType.APPLICATION_JSON)
            .bodyValue(Map.of("model", "openai/gpt-4o-mini", "max_tokens", 10,
                    "messages", List.of(Map.of("role", "user", "content", "Count the letters of this sentence."))))
            .exchangeToMono(response -> response.bodyToMono(String.class).defaultIfEmpty("")
                .map(body -> org.springframework.web.reactive.function.client.ClientResponse.create(
                        response.statusCode()).body(body).build()));
    }

    private int status(org.springframework.web.reactive.function.client.ClientResponse response) {
        return response.statusCode().value();
    }

    private long usageDebits() {
        return db.sql("select count(*) from ledger_entry where tenant_id = :t and kind = 'usage'")
            .bind("t", user.tenantId()).map(row -> row.get(0, Long.class)).one().block();
    }

    private long requestLogCharges() {
        return db.sql("select coalesce(sum(charge_micros), 0) from request_log where tenant_id = :t")
            .bind("t", user.tenantId()).map(row -> row.get(0, Number.class).longValue()).one().block();
    }

    private long firstCharges(int n) {
        return db.sql("select coalesce(sum(charge_micros), 0) from (select charge_micros from request_log "
                + "where tenant_id = :t order by created_at limit :n) first")
            .bind("t", user.tenantId()).bind("n", n).map(row -> row.get(0, Number.class).longValue()).one().block();
    }

}
