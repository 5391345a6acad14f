package dev.tollgate.credits;

import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.test.web.reactive.server.EntityExchangeResult;
import org.springframework.test.web.reactive.server.WebTestClient;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import dev.tollgate.account.AuthenticatedKey;
import dev.tollgate.testsupport.DashboardUser;
import dev.tollgate.testsupport.FakeReply;
import dev.tollgate.testsupport.FakeUpstream;
import dev.tollgate.testsupport.IntegrationTest;
import dev.tollgate.testsupport.LedgerInvariant;
import dev.tollgate.testsupport.RequestLog;
import dev.tollgate.testsupport.SecondInstance;
import dev.tollgate.testsupport.TestEnvironment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * Prices, markup and credits for single calls. The recorded completion the fake answers with reports 33 prompt and
 * 10 completion tokens; gpt-4o-mini costs $0.15 / Mtok in and $0.60 / Mtok out, so a call costs exactly
 * 33 × 150000 + 10 × 600000 = 10,950,000 pico-dollars, 11 micro-dollars once rounded up.
 */
@IntegrationTest
class CreditsIntegrationTests {

    static final JsonMapper JSON = JsonMapper.builder().build();

    @Autowired
    WebTestClient client;

    @Autowired
    DatabaseClient db;

    @Autowired
    CreditService credits;

    final FakeUpstream upstream = FakeUpstream.shared();

    DashboardUser user;

    String key;

    @BeforeEach
    void setUp() {
        upstream.reset();
        user = DashboardUser.signUp(client);
        key = user.createKey("credits");
    }

    @AfterEach
    void moneyAddsUp() {
        new LedgerInvariant(db).holds();
    }

    @Test
    void aNewTenantStartsWithTheSignupBonus() {
        JsonNode page = user.getJson("/api/credits");

        assertThat(page.path("balanceMicros").asLong()).isEqualTo(10_000_000L);
        assertThat(page.path("totalCreditedMicros").asLong()).isEqualTo(10_000_000L);
        assertThat(page.path("entries")).hasSize(1);
        assertThat(page.path("entries").get(0).path("kind").stringValue()).isEqualTo("signup_bonus");
        assertThat(page.path("entries").get(0).path("amountMicros").asLong()).isEqualTo(10_000_000L);
    }

    /** Usage is debited every moment: pages found from cursors stay where the page next to them put them. */
    @Test
    void ledgerPagesFoundFromCursorsNeitherRepeatNorHideEntries() {
        credits.append(user.tenantId(), CreditKind.ADJUSTMENT, 1_000_000, null, "first").block(Duration.ofSeconds(5));
        JsonNode first = user.getJson("/api/credits?size=1");
        assertThat(first.path("entries").get(0).path("description").stringValue()).isEqualTo("first");

        credits.append(user.tenantId(), CreditKind.ADJUSTMENT, 2_000_000, null, "since").block(Duration.ofSeconds(5));
        JsonNode second = user.getJson("/api/credits?size=1&page=1&before=" + first.path("lastCursor").stringValue());
        JsonNode back = user.getJson("/api/credits?size=1&after=" + second.path("firstCursor").stringValue());

        assertThat(second.path("entries").get(0).path("kind").stringValue()).isEqualTo("signup_bonus");
        assertThat(back.path("entries").get(0).path("description").stringValue()).isEqualTo("first");
        assertThat(second.path("total").asLong()).isEqualTo(3);
        user.get("/api/credits?before=1_x").expectStatus().isBadRequest();
        // A time outside PostgreSQL's years 1 to 9999 is no cursor a page gave.
        user.get("/api/credits?after=-99999999999999999_1").expectStatus().isBadRequest();
    }

    @Test
    void aCallIsDebitedItsPriceAndTheLogKeepsCostAndCharge() {
        EntityExchangeResult<byte[]> result = chat(Map.of("model", "openai/gpt-4o-mini", "usage", Map.of("include", true),
                "messages", List.of(Map.of("role", "user", "content", "How many letters are in Python?"))))
            .expectStatus().isOk().expectBody().returnResult();

        JsonNode body = JSON.readTree(result.getResponseBody());
        assertThat(body.path("usage").path("cost").decimalValue()).isEqualByComparingTo("0.000011");
        Map<String, Object> row = new RequestLog(db).row(generationId(result));
        assertThat(row.get("cost_micros")).isEqualTo(11L);
        assertThat(row.get("charge_micros")).isEqualTo(11L);
        assertThat(row.get("markup_ppm")).isEqualTo(0L);
        awaitBalance(10_000_000L - 11);
    }

    @Test
    void aTenantMarkupRaisesTheChargeButNotTheCost() {
        DashboardUser operator = DashboardUser.signUpAs(client, TestEnvironment.OPERATOR_EMAIL);
        operator.post("/api/operator/markups", Map.of("tenantId", user.tenantId().toString(), "markup", "0.10"))
            .expectStatus().isCreated();

        EntityExchangeResult<byte[]> result = chat(simple()).expectStatus().isOk().expectBody().returnResult();

        Map<String, Object> row = new RequestLog(db).row(generationId(result));
        // 10,950,000 picos × 1.10 = 12,045,000 picos → 12.045 micros → 13
        assertThat(row.get("cost_micros")).isEqualTo(11L);
        assertThat(row.get("charge_micros")).isEqualTo(13L);
        assertThat(row.get("markup_ppm")).isEqualTo(100_000L);
        awaitBalance(10_000_000L - 13);
    }

    @Test
    void aPriceChangeNeverAltersThePriceOfAPastRequest() {
        String before = generationId(chat(simple()).expectStatus().isOk().expectBody().returnResult());
        Map<String, Object> first = new RequestLog(db).row(before);
        DashboardUser operator = DashboardUser.signUpAs(client, TestEnvironment.OPERATOR_EMAIL);
        operator.post("/api/operator/prices", Map.of("modelId", "openai/gpt-4o-mini", "inputPerMtokUsd", "0.30",
                "outputPerMtokUsd", "1.20")).expectStatus().isCreated();

        try {
            String after = generationId(chat(simple()).expectStatus().isOk().expectBody().returnResult());
            Map<String, Object> second = new RequestLog(db).row(after);
            assertThat(second.get("charge_micros")).isEqualTo(22L);
            assertThat(second.get("price_id")).isNotEqualTo(first.get("price_id"));
            Map<String, Object> firstAgain = new RequestLog(db).row(before);
            assertThat(firstAgain.get("charge_micros")).isEqualTo(11L);
            assertThat(firstAgain.get("price_id")).isEqualTo(first.get("price_id"));
        }
        finally {
            operator.post("/api/operator/prices", Map.of("modelId", "openai/gpt-4o-mini", "inputPerMtokUsd", "0.15",
                    "outputPerMtokUsd", "0.60", "cachedInputPerMtokUsd", "0.075")).expectStatus().isCreated();
        }
    }

    /**
     * An operator retrying an adjustment whose answer was lost (it committed all the same) sends the same
     * Idempotency-Key: the grant lands once, the retry gets its answer again. Keys are the operator's per tenant.
     */
    @Test
    void anAdjustmentRetriedWithItsIdempotencyKeyLandsOnce() {
        DashboardUser operator = DashboardUser.signUpAs(client, TestEnvironment.OPERATOR_EMAIL);
        Map<String, String> grant = Map.of("amountUsd", "2.5", "reason", "Goodwill");

        adjust(operator, user, "grant-42", grant).expectStatus().isCreated()
            .expectHeader().doesNotExist("Idempotent-Replayed")
            .expectBody().jsonPath("$.balanceMicros").isEqualTo(12_500_000);
        adjust(operator, user, "grant-42", grant).expectStatus().isCreated()
            .expectHeader().valueEquals("Idempotent-Replayed", "true")
            .expectBody().jsonPath("$.amountMicros").isEqualTo(2_500_000)
            .jsonPath("$.balanceMicros").isEqualTo(12_500_000);
        adjust(operator, user, "grant-42", Map.of("amountUsd", "25", "reason", "Goodwill"))
            .expectStatus().isEqualTo(HttpStatus.CONFLICT)
            .expectBody().jsonPath("$.error.code").isEqualTo("idempotency_key_reused");
        adjust(operator, user, "k".repeat(256), grant).expectStatus().isBadRequest()
            .expectBody().jsonPath("$.error.code").isEqualTo("invalid_idempotency_key");
        adjust(operator, user, "grant-43", grant).expectStatus().isCreated()
            .expectBody().jsonPath("$.balanceMicros").isEqualTo(15_000_000);
        DashboardUser other = DashboardUser.signUp(client);
        adjust(operator, other, "grant-42", grant).expectStatus().isCreated()
            .expectHeader().doesNotExist("Idempotent-Replayed");

        assertThat(user.getJson("/api/credits?includeUsage=false").path("entries").valueStream()
            .filter(entry -> entry.path("kind").stringValue().equals("adjustment")).count()).isEqualTo(2);
    }

    private WebTestClient.ResponseSpec adjust(DashboardUser operator, DashboardUser tenant, String idempotencyKey,
            Map<String, String> body) {
        return client.post().uri("/api/operator/tenants/" + tenant.tenantId() + "/credits")
            .cookie("TOLLGATE_SESSION", operator.session())
            .cookie("XSRF-TOKEN", operator.csrfToken()).header("X-XSRF-TOKEN", operator.csrfToken())
            .header("Idempotency-Key", idempotencyKey)
            .contentType(MediaType.APPLICATION_JSON)
            .bodyValue(body)
            .exchange();
    }

    /**
     * A price written ahead applies from its time, on every instance: it used to wait for the next scheduled refresh
     * (here an hour away), so calls in between were billed at the old price.
     */
    @Test
    void aPriceWrittenAheadAppliesFromItsTime() {
        DashboardUser operator = DashboardUser.signUpAs(client, TestEnvironment.OPERATOR_EMAIL);
        try (SecondInstance slowRefresh = SecondInstance.start(Map.of("tollgate.catalog.refresh-interval", "1h"))) {
            WebTestClient second = WebTestClient.bindToServer().baseUrl(slowRefresh.baseUrl()).build();
            OffsetDateTime at = OffsetDateTime.now(ZoneOffset.UTC).plusSeconds(2);
            operator.post("/api/operator/prices", Map.of("modelId", "openai/gpt-4o-mini", "inputPerMtokUsd", "0.30",
                    "outputPerMtokUsd", "1.20", "effectiveFrom", at.toString())).expectStatus().isCreated();
            try {
                await().atMost(Duration.ofSeconds(10)).until(() -> OffsetDateTime.now(ZoneOffset.UTC)
                    .isAfter(at.plusNanos(300_000_000)));
                String generation = generationId(second.post().uri("/v1/chat/completions")
                    .header("Authorization", "Bearer " + key).contentType(MediaType.APPLICATION_JSON)
                    .bodyValue(simple()).exchange().expectStatus().isOk().expectBody().returnResult());

                assertThat(new RequestLog(db).row(generation).get("charge_micros")).isEqualTo(22L);
            }
            finally {
                operator.post("/api/operator/prices", Map.of("modelId", "openai/gpt-4o-mini", "inputPerMtokUsd",
                        "0.15", "outputPerMtokUsd", "0.60", "cachedInputPerMtokUsd", "0.075")).expectStatus()
                    .isCreated();
            }
        }
    }

    @Test
    void aPriceAboveTheDearestAllowedIsRefusedNamingTheField() {
        DashboardUser operator = DashboardUser.signUpAs(client, TestEnvironment.OPERATOR_EMAIL);
        Map<String, String> price = Map.of("modelId", "openai/gpt-4o-mini", "inputPerMtokUsd", "0.15",
                "outputPerMtokUsd", "0.60");
        for (String field : List.of("inputPerMtokUsd", "outputPerMtokUsd", "cachedInputPerMtokUsd",
                "cacheWritePerMtokUsd", "reasoningPerMtokUsd", "audioInputPerMtokUsd", "audioOutputPerMtokUsd")) {
            Map<String, String> tooDear = new HashMap<>(price);
            tooDear.put(field, "3000.000001");

            operator.post("/api/operator/prices", tooDear).expectStatus().isBadRequest()
                .expectBody()
                .jsonPath("$.error.param").isEqualTo(field)
                .jsonPath("$.error.message").value(message -> assertThat((String) message).contains("3000"));
        }
    }

    @Test
    void aLongContextTierComesWhole() {
        DashboardUser operator = DashboardUser.signUpAs(client, TestEnvironment.OPERATOR_EMAIL);

        operator.post("/api/operator/prices", Map.of("modelId", "openai/gpt-4o-mini", "inputPerMtokUsd", "0.15",
                "outputPerMtokUsd", "0.60", "longInputPerMtokUsd", "0.30")).expectStatus().isBadRequest()
            .expectBody().jsonPath("$.error.param").isEqualTo("longContextAboveTokens");
        operator.post("/api/operator/prices", Map.of("modelId", "openai/gpt-4o-mini", "inputPerMtokUsd", "0.15",
                "outputPerMtokUsd", "0.60", "longContextAboveTokens", 0, "longInputPerMtokUsd", "0.30",
                "longOutputPerMtokUsd", "1.20")).expectStatus().isBadRequest();
    }

    @Test
    void aMarkupOutOfBoundsOrFinerThanAPartPerMillionIsRefused() {
        DashboardUser operator = DashboardUser.signUpAs(client, TestEnvironment.OPERATOR_EMAIL);
        Map<String, String> refusals = Map.of("100.000001", "above 100", "9223372036854.775807", "above 100",
                "1e30", "above 100", "-1.000001", "below -1", "0.0500001", "six decimal places");
        refusals.forEach((markup, message) -> operator.post("/api/operator/markups",
                Map.of("tenantId", user.tenantId().toString(), "markup", markup))
            .expectStatus().isBadRequest()
            .expectBody()
            .jsonPath("$.error.param").isEqualTo("markup")
            .jsonPath("$.error.message").value(text -> assertThat((String) text).as(markup).contains(message)));
        assertThatThrownBy(() -> db.sql("""
                insert into markup_rule (tenant_id, markup_ppm, effective_from)
                values (:tenant, 100000001, now())""").bind("tenant", user.tenantId()).then().block())
            .hasMessageContaining("markup_rule_at_most_100");
    }

    /** A route's host price is only ever written in SQL: the database holds the same cap. */
    @Test
    void aPriceAboveTheDearestAllowedWrittenByHandIsRefusedByTheDatabase() {
        try {
            assertThatThrownBy(() -> db.sql("""
                    insert into model_route (model_id, provider, upstream_id, input_per_mtok_micros,
                        output_per_mtok_micros) values ('openai/gpt-4o-mini', 'by-hand', 'x', 150000, 3000000001)""")
                .then().block())
                .hasMessageContaining("model_route_at_most_3000_usd_per_mtok");
            assertThatThrownBy(() -> db.sql("""
                    insert into model_price (model_id, input_per_mtok_micros, output_per_mtok_micros,
                        reasoning_per_mtok_micros, effective_from)
                    values ('openai/gpt-4o-mini', 150000, 600000, 3000000001, '2999-01-01T00:00:00Z')""")
                .then().block())
                .hasMessageContaining("model_price_at_most_3000_usd_per_mtok");
        }
        finally {
            db.sql("delete from model_route where provider = 'by-hand'").then().block();
            db.sql("delete from model_price where effective_from = '2999-01-01T00:00:00Z'").then().block();
        }
    }

    @Test
    void aRequestTheBalanceCannotCoverIs402AndNeverReachesTheProvider() {
        setBalance(5);

        chat(Map.of("model", "openai/gpt-4o-mini", "max_tokens", 1000,
                "messages", List.of(Map.of("role", "user", "content", "hi"))))
            .expectStatus().isEqualTo(HttpStatus.PAYMENT_REQUIRED)
            .expectBody()
            .jsonPath("$.error.code").isEqualTo("insufficient_credits")
            .jsonPath("$.error.message").value(message -> assertThat((String) message).contains("max_tokens"));
        assertThat(upstream.requestCount()).isZero();
    }

    @Test
    void withoutMaxTokensTheHoldAssumesTheModelsLongestAnswer() {
        // gpt-4o-mini may answer 16384 tokens: 16384 × $0.60 / Mtok ≈ $0.0098, more than this balance.
        setBalance(5_000);

        chat(simple()).expectStatus().isEqualTo(HttpStatus.PAYMENT_REQUIRED);
        chat(Map.of("model", "openai/gpt-4o-mini", "max_tokens", 100,
                "messages", List.of(Map.of("role", "user", "content", "hi")))).expectStatus().isOk();
    }

    /**
     * GPT-4o Audio bills a spoken answer's audio at $80 a million tokens, its text at $10: a call asking for speech is
     * held at the audio price, and billed at it for the audio tokens the answer reports.
     */
    @Test
    void aSpokenAnswerIsHeldAndBilledAtTheAudioOutputPrice() {
        setBalance(20_000);
        Map<String, Object> spoken = new HashMap<>(Map.of("model", "openai/gpt-4o-audio-preview",
                "modalities", List.of("text", "audio"), "audio", Map.of("voice", "alloy", "format", "wav"),
                "max_tokens", 1000, "messages", List.of(Map.of("role", "user", "content", "Say hello"))));

        // 1,000 tokens of speech may cost $0.08, more than the balance (as text, $0.01, it would pass).
        chat(spoken).expectStatus().isEqualTo(HttpStatus.PAYMENT_REQUIRED);
        assertThat(upstream.requestCount()).isZero();

        upstream.enqueue(FakeReply.json(200, """
                {"id":"chatcmpl-AUD1","object":"chat.completion","created":1733000000,
                 "model":"gpt-4o-audio-preview-2024-12-17",
                 "choices":[{"index":0,"message":{"role":"assistant","content":null,"refusal":null,
                   "audio":{"id":"audio_1","data":"UklGRg==","expires_at":1733003600,"transcript":"Hello there."}},
                   "finish_reason":"stop"}],
                 "usage":{"prompt_tokens":17,"completion_tokens":200,"total_tokens":217,
                   "prompt_tokens_details":{"cached_tokens":0,"audio_tokens":0},
                   "completion_tokens_details":{"reasoning_tokens":0,"audio_tokens":180,
                     "accepted_prediction_tokens":0,"rejected_prediction_tokens":0}}}"""));
        spoken.put("max_tokens", 200);
        EntityExchangeResult<byte[]> result = chat(spoken).expectStatus().isOk()
            .expectBody().jsonPath("$.choices[0].message.audio.transcript").isEqualTo("Hello there.")
            .jsonPath("$.usage.completion_tokens_details.audio_tokens").isEqualTo(180)
            .returnResult();

        // Micro-USD per token: input 2.50, text output 10, audio output 80.
        Map<String, Object> row = new RequestLog(db).row(generationId(result));
        assertThat(((Number) row.get("cost_micros")).longValue())
            .isEqualTo((long) Math.ceil(17 * 2.50 + 20 * 10 + 180 * 80));
    }

    /**
     * A fallback model is admitted after the failed model's hold is given back: the two held at once used to need more
     * than a balance that covers either, and the fallback failed with a 402.
     */
    @Test
    void aFallbackModelNeedsOnlyItsOwnHold() {
        // gpt-4o holds about 70 × $10 / Mtok = 700 micros, gpt-4o-mini about 70 × $0.60 / Mtok = 42.
        setBalance(750);
        upstream.enqueueFailure(FakeReply.json(500, "{\"error\":{\"message\":\"boom\",\"type\":\"server_error\"}}"));

        String generation = generationId(chat(Map.of("model", "openai/gpt-4o", "models", List.of("openai/gpt-4o-mini"),
                "max_tokens", 70, "messages", List.of(Map.of("role", "user", "content", "hi"))))
            .expectStatus().isOk().expectBody().returnResult());

        assertThat(new RequestLog(db).row(generation).get("model")).isEqualTo("openai/gpt-4o-mini");
        awaitBalance(750 - 11);
    }

    @Test
    void eachOfTheNAnswersAskedForIsHeldAtTheCap() {
        // 128 answers of up to 100 tokens: 12800 × $0.60 / Mtok = $0.00768, more than this balance; one fits.
        setBalance(5_000);

        chat(Map.of("model", "openai/gpt-4o-mini", "max_tokens", 100, "n", 128,
                "messages", List.of(Map.of("role", "user", "content", "hi"))))
            .expectStatus().isEqualTo(HttpStatus.PAYMENT_REQUIRED);
        assertThat(upstream.requestCount()).isZero();
        chat(Map.of("model", "openai/gpt-4o-mini", "max_tokens", 100, "n", 129,
                "messages", List.of(Map.of("role", "user", "content", "hi"))))
            .expectStatus().isBadRequest()
            .expectBody().jsonPath("$.error.param").isEqualTo("n");
        chat(Map.of("model", "openai/gpt-4o-mini", "max_tokens", 100, "n", 8,
                "messages", List.of(Map.of("role", "user", "content", "hi")))).expectStatus().isOk();
    }

    @Test
    void aKeysCreditLimitStopsItButNotTheTenantsOtherKeys() {
        JsonNode limited = user.createKeyJson(Map.of("name", "limited", "creditLimitUsd", "0.000015"));
        String limitedKey = limited.path("key").stringValue();
        Map<String, Object> small = Map.of("model", "openai/gpt-4o-mini", "max_tokens", 10,
                "messages", List.of(Map.of("role", "user", "content", "hi")));

        chat(limitedKey, small).expectStatus().isOk();
        chat(limitedKey, small).expectStatus().isEqualTo(HttpStatus.PAYMENT_REQUIRED)
            .expectBody().jsonPath("$.error.code").isEqualTo("key_limit_reached");
        chat(key, small).expectStatus().isOk();

        // Spend is written in the background and visible within the contract's five seconds.
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
            JsonNode keyInfo = JSON.readTree(client.get().uri("/v1/key")
                .header("Authorization", "Bearer " + limitedKey).exchange()
                .expectStatus().isOk().expectBody().returnResult().getResponseBody()).path("data");
            assertThat(keyInfo.path("label").stringValue()).isEqualTo("limited");
            assertThat(keyInfo.path("limit").decimalValue()).isEqualByComparingTo("0.000015");
            assertThat(keyInfo.path("usage").decimalValue()).isEqualByComparingTo("0.000011");
            assertThat(keyInfo.path("limit_remaining").decimalValue()).isEqualByComparingTo("0.000004");
        });

        user.patch("/api/keys/" + limited.path("id").stringValue(), Map.of("creditLimitUsd", "1"))
            .expectStatus().isOk()
            .expectBody().jsonPath("$.creditLimitMicros").isEqualTo(1_000_000);
        chat(limitedKey, small).expectStatus().isOk();
    }

    /**
     * A key's budget used to be forgotten ten minutes after its last call, even while a stream of that key still held
     * part of it: the next call found a budget built from the written spend alone and was admitted the held amount a
     * second time.
     */
    @Test
    void aKeysBudgetHeldByALongCallIsNotForgottenHoweverIdle() {
        JsonNode limited = user.createKeyJson(Map.of("name", "long", "creditLimitUsd", "0.000030"));
        AuthenticatedKey longKey = new AuthenticatedKey(UUID.fromString(limited.path("id").stringValue()),
            user.tenantId(), "long", 30L);
        chat(limited.path("key").stringValue(), Map.of("model", "openai/gpt-4o-mini", "max_tokens", 10,
                "messages", List.of(Map.of("role", "user", "content", "hi")))).expectStatus().isOk();
        await().atMost(Duration.ofSeconds(5)).until(() -> credits.keySpend(longKey.keyId()).block() == 11L);
        Hold streaming = credits.hold(longKey, 12).block();
        long eleventhMinute = System.nanoTime() + Duration.ofMinutes(11).toNanos();

        credits.forgetIdleKeyBudgets(eleventhMinute);

        assertThatThrownBy(() -> credits.hold(longKey, 12).block())
            .as("11 spent and 12 held by the stream leave 7").hasMessageContaining("credit limit is reached");
        streaming.release();
        credits.forgetIdleKeyBudgets(eleventhMinute);

        Hold next = credits.hold(longKey, 19).block();
        assertThat(next).as("built afresh from the 11 written").isNotNull();
        assertThatThrownBy(() -> credits.hold(longKey, 1).block()).hasMessageContaining("credit limit is reached");
        next.release();
    }

    @Test
    void aFailedCallIsFreeAndReleasesItsHold() {
        setBalance(12);
        upstream.enqueueFailure(FakeReply.json(500, "{\"error\":{\"message\":\"boom\",\"type\":\"server_error\"}}"));
        Map<String, Object> small = Map.of("model", "openai/gpt-4o-mini", "max_tokens", 10,
                "messages", List.of(Map.of("role", "user", "content", "hi")));

        String failed = generationId(chat(small).expectStatus().isEqualTo(HttpStatus.BAD_GATEWAY).expectBody()
            .returnResult());
        assertThat(new RequestLog(db).row(failed).get("charge_micros")).isEqualTo(0L);

        // The hold of the failed call was released: the same balance admits the next call.
        chat(small).expectStatus().isOk();
        awaitBalance(12 - 11);
    }

    @Test
    void theOpenRouterAccountEndpointsAnswerInUsd() {
        String generationId = generationId(chat(simple()).expectStatus().isOk().expectBody().returnResult());
        new RequestLog(db).row(generationId);

        JsonNode generation = getV1("/v1/generation?id=" + generationId).path("data");
        assertThat(generation.path("id").stringValue()).isEqualTo(generationId);
        assertThat(generation.path("model").stringValue()).isEqualTo("openai/gpt-4o-mini");
        assertThat(generation.path("provider_name").stringValue()).isEqualTo("openai");
        assertThat(generation.path("tokens_prompt").asInt()).isEqualTo(33);
        assertThat(generation.path("tokens_completion").asInt()).isEqualTo(10);
        assertThat(generation.path("native_tokens_cached").asInt()).isZero();
        assertThat(generation.path("total_cost").decimalValue()).isEqualByComparingTo("0.000011");
        assertThat(generation.path("finish_reason").stringValue()).isEqualTo("stop");
        assertThat(generation.path("streamed").asBoolean()).isFalse();

        JsonNode totals = getV1("/v1/credits").path("data");
        assertThat(totals.path("total_credits").decimalValue()).isEqualByComparingTo("10");
        assertThat(totals.path("total_usage").decimalValue()).isEqualByComparingTo("0.000011");

        DashboardUser stranger = DashboardUser.signUp(client);
        client.get().uri("/v1/generation?id=" + generationId)
            .header("Authorization", "Bearer " + stranger.createKey("other")).exchange()
            .expectStatus().isNotFound();
    }

    @Test
    void theLedgerIsAppendOnly() {
        Throwable error = db.sql("update ledger_entry set amount_micros = 0 where tenant_id = :t")
            .bind("t", user.tenantId()).then().materialize().block().getThrowable();
        assertThat(error).isNotNull().hasMessageContaining("append-only");
    }

    private JsonNode getV1(String path) {
        return JSON.readTree(client.get().uri(path).header("Authorization", "Bearer " + key).exchange()
            .expectStatus().isOk().expectBody().returnResult().getResponseBody());
    }

    private void setBalance(long micros) {
        long current = credits.balance(user.tenantId()).block().balanceMicros();
        credits.append(user.tenantId(), CreditKind.ADJUSTMENT, micros - current, null, "test").block();
    }

    private void awaitBalance(long micros) {
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
            assertThat(credits.balance(user.tenantId()).block().balanceMicros()).isEqualTo(micros));
    }

    private WebTestClient.ResponseSpec chat(Object body) {
        return chat(key, body);
    }

    private WebTestClient.ResponseSpec chat(String apiKey, Object body) {
        return client.post().uri("/v1/chat/completions").header("Authorization", "Bearer " + apiKey)
            .contentType(MediaType.APPLICATION_JSON).bodyValue(body).exchange();
    }

    static Map<String, Object> simple() {
        return Map.of("model", "openai/gpt-4o-mini", "messages", List.of(Map.of("role", "user", "content", "hi")));
    }

    static String generationId(EntityExchangeResult<?> result) {
        return result.getResponseHeaders().getFirst("x-tollgate-generation-id");
    }

}
