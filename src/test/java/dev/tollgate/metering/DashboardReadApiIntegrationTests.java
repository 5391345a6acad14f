package dev.tollgate.metering;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;
import tools.jackson.databind.JsonNode;

import dev.tollgate.testsupport.DashboardUser;
import dev.tollgate.testsupport.FakeReply;
import dev.tollgate.testsupport.FakeUpstream;
import dev.tollgate.testsupport.IntegrationTest;
import dev.tollgate.testsupport.TestEnvironment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * What the dashboard reads: the activity log, usage aggregates and the ledger. Non-streamed calls here cost 11
 * micro-dollars (33 + 10 tokens), streamed ones 13 (79 + 1 tokens: 11,850,000 + 600,000 picos).
 */
@IntegrationTest
class DashboardReadApiIntegrationTests {

    @Autowired
    WebTestClient client;

    final FakeUpstream upstream = FakeUpstream.shared();

    DashboardUser user;

    String laptop;

    String server;

    @BeforeEach
    void setUp() {
        upstream.reset();
        user = DashboardUser.signUp(client);
        laptop = user.createKey("laptop");
        server = user.createKey("server");
    }

    /**
     * Calls are logged while a tenant pages: by offset, each one pushed the first page's last row onto the second.
     * From the cursors, the next page starts after the last row shown and the previous one ends before the first.
     */
    @Test
    void pagesFoundFromCursorsNeitherRepeatNorHideRowsWhileCallsAreLogged() {
        for (int i = 0; i < 3; i++) {
            call(laptop, false);
        }
        JsonNode first = await().atMost(Duration.ofSeconds(5)).until(() -> user.getJson("/api/activity?size=2"),
                body -> body.path("total").asLong() == 3);
        List<String> firstIds = ids(first);

        call(server, false);
        await().atMost(Duration.ofSeconds(5)).until(() -> user.getJson("/api/activity").path("total").asLong() == 4);
        JsonNode second = user.getJson("/api/activity?page=1&size=2&before=" + first.path("lastCursor").stringValue());
        JsonNode back = user.getJson("/api/activity?size=2&after=" + second.path("firstCursor").stringValue());
        JsonNode byOffset = user.getJson("/api/activity?page=1&size=2");

        assertThat(ids(second)).hasSize(1).doesNotContainAnyElementsOf(firstIds);
        assertThat(ids(back)).as("the same first page, newest first").isEqualTo(firstIds);
        assertThat(ids(byOffset)).as("what offsets did").contains(firstIds.get(1));
        user.get("/api/activity?before=nonsense").expectStatus().isBadRequest();
        user.get("/api/activity?before=1_gen-x").expectStatus().isBadRequest();
        user.get("/api/activity?before=999999999999999999_" + firstIds.get(0)).expectStatus().isBadRequest();
    }

    private static List<String> ids(JsonNode page) {
        List<String> ids = new ArrayList<>();
        page.path("data").forEach(item -> ids.add(item.path("id").stringValue()));
        return ids;
    }

    @Test
    void activityListsEveryCallNewestFirstWithItsKeyAndCost() {
        call(laptop, false);
        call(server, true);
        upstream.enqueueFailure(FakeReply.json(500, "{\"error\":{\"message\":\"boom\"}}"));
        call(server, false);

        JsonNode page = await().atMost(Duration.ofSeconds(5)).until(() -> user.getJson("/api/activity"),
                body -> body.path("total").asLong() == 3);

        JsonNode data = page.path("data");
        assertThat(data.get(0).path("status").asInt()).isEqualTo(502);
        assertThat(data.get(0).path("costMicros").asLong()).isZero();
        assertThat(data.get(0).path("errorCode").stringValue()).isEqualTo("upstream_error");
        assertThat(data.get(1).path("streamed").asBoolean()).isTrue();
        assertThat(data.get(1).path("keyName").stringValue()).isEqualTo("server");
        assertThat(data.get(1).path("costMicros").asLong()).isEqualTo(13);
        assertThat(data.get(2).path("keyName").stringValue()).isEqualTo("laptop");
        assertThat(data.get(2).path("promptTokens").asInt()).isEqualTo(33);
        assertThat(data.get(2).path("costMicros").asLong()).isEqualTo(11);
        assertThat(data.get(2).path("id").stringValue()).startsWith("gen-");

        String serverKeyId = data.get(1).path("keyId").stringValue();
        assertThat(user.getJson("/api/activity?keyId=" + serverKeyId).path("total").asLong()).isEqualTo(2);
        assertThat(user.getJson("/api/activity?status=502").path("total").asLong()).isEqualTo(1);
        assertThat(user.getJson("/api/activity?status=failed").path("data").get(0).path("status").asInt())
            .isEqualTo(502);
        assertThat(user.getJson("/api/activity?status=failed").path("total").asLong()).isEqualTo(1);
        user.get("/api/activity?status=bad").expectStatus().isBadRequest();
        assertThat(user.getJson("/api/activity?model=openai/gpt-4o").path("total").asLong()).isZero();
        assertThat(user.getJson("/api/activity?page=1&size=2").path("data")).hasSize(1);

        JsonNode one = user.getJson("/api/activity/" + data.get(2).path("id").stringValue());
        assertThat(one.path("finishReason").stringValue()).isEqualTo("stop");
        assertThat(one.path("provider").stringValue()).isEqualTo("openai");
        DashboardUser.signUp(client).get("/api/activity/" + data.get(2).path("id").stringValue())
            .expectStatus().isNotFound();
    }

    @Test
    void usageIsAggregatedByDayModelAndKey() {
        call(laptop, false);
        call(laptop, false);
        call(server, true);
        String today = LocalDate.now(ZoneOffset.UTC).toString();
        String tomorrow = LocalDate.now(ZoneOffset.UTC).plusDays(1).toString();

        JsonNode byDayAndModel = await().atMost(Duration.ofSeconds(5)).until(
                () -> user.getJson("/api/usage?from=" + today + "&to=" + tomorrow + "&groupBy=day,model"),
                body -> body.path("totals").path("requests").asLong() == 3);

        assertThat(byDayAndModel.path("totals").path("costMicros").asLong()).isEqualTo(11 + 11 + 13);
        assertThat(byDayAndModel.path("totals").path("promptTokens").asLong()).isEqualTo(33 + 33 + 79);
        assertThat(byDayAndModel.path("rows")).hasSize(1);
        assertThat(byDayAndModel.path("rows").get(0).path("day").stringValue()).isEqualTo(today);
        assertThat(byDayAndModel.path("rows").get(0).path("model").stringValue()).isEqualTo("openai/gpt-4o-mini");

        JsonNode byKey = user.getJson("/api/usage?groupBy=key");
        assertThat(byKey.path("rows")).hasSize(2);
        assertThat(byKey.path("rows").valueStream()
            .filter(row -> row.path("keyName").stringValue().equals("laptop"))
            .findFirst().orElseThrow().path("costMicros").asLong()).isEqualTo(22);

        user.get("/api/usage?groupBy=tenant").expectStatus().isBadRequest();
        user.get("/api/usage?from=2026-13-01").expectStatus().isBadRequest();
        // Years ISO parsing takes that the window's arithmetic or PostgreSQL does not: each was a 500.
        for (String query : new String[] { "to=-999999999-01-01T00:00Z", "from=0000-01-01&to=2026-01-01" }) {
            user.get("/api/usage?" + query).expectStatus().isBadRequest()
                .expectBody().jsonPath("$.error.message").value(message -> assertThat((String) message)
                    .as(query).contains("between the years 1 and 9999"));
        }
        // Each request aggregates its whole period on the shared database: a year at most, as the dashboard asks.
        user.get("/api/usage?from=2020-01-01&to=2026-01-01&groupBy=day,key").expectStatus().isBadRequest()
            .expectBody().jsonPath("$.error.message").value(message -> assertThat((String) message)
                .contains("at most 367 days"));
        user.get("/api/usage?from=2025-01-01&to=2026-01-01").expectStatus().isOk();
    }

    /** The dashboard asks for its local days (midnight to midnight where the browser is) and labels bars so. */
    @Test
    void daysAreTheCallersLocalDays() {
        call(laptop, false);
        Instant now = Instant.now();
        // A zone whose date is not UTC's right now: 14 hours ahead late in the UTC day, 11 behind early in it (no
        // daylight saving in either; not Etc/GMT+12, whose '+' a query string reads as a space).
        ZoneId zone = ZoneId.of(now.atZone(ZoneOffset.UTC).getHour() >= 10 ? "Pacific/Kiritimati" : "Pacific/Pago_Pago");
        LocalDate localToday = LocalDate.ofInstant(now, zone);
        String from = localToday.atStartOfDay(zone).toInstant().toString();
        String to = localToday.plusDays(1).atStartOfDay(zone).toInstant().toString();

        JsonNode byDay = await().atMost(Duration.ofSeconds(5)).until(
                () -> user.getJson("/api/usage?from=" + from + "&to=" + to + "&groupBy=day&tz=" + zone.getId()),
                body -> body.path("totals").path("requests").asLong() == 1);

        assertThat(byDay.path("rows")).hasSize(1);
        assertThat(byDay.path("rows").get(0).path("day").stringValue()).isEqualTo(localToday.toString())
            .isNotEqualTo(LocalDate.ofInstant(now, ZoneOffset.UTC).toString());
        assertThat(byDay.path("tz").stringValue()).isEqualTo(zone.getId());
        // Plain dates are the caller's days too: the same period asked as dates in that zone.
        JsonNode byDates = user.getJson("/api/usage?from=" + localToday + "&to=" + localToday.plusDays(1)
                + "&groupBy=day&tz=" + zone.getId());
        assertThat(byDates.path("from").stringValue()).isEqualTo(byDay.path("from").stringValue());
        assertThat(byDates.path("rows")).isEqualTo(byDay.path("rows"));
        // Offsets PostgreSQL would read west for east: names only.
        for (String offset : new String[] { "-03:00", "GMT-3", "Mars/Olympus" }) {
            user.get("/api/usage?tz=" + offset).expectStatus().isBadRequest()
                .expectBody().jsonPath("$.error.param").isEqualTo("tz");
        }
    }

    @Test
    void theLedgerShowsUsageDebitsUnlessAskedNotTo() {
        call(laptop, false);

        // Waits for the entry only: the page is one snapshot, so the balance must already agree with it.
        JsonNode credits = await().atMost(Duration.ofSeconds(5)).until(
                () -> user.getJson("/api/credits"), body -> body.path("total").asLong() == 2);

        assertThat(credits.path("balanceMicros").asLong()).isEqualTo(10_000_000L - 11);
        assertThat(credits.path("totalUsedMicros").asLong()).isEqualTo(11);
        assertThat(credits.path("entries").get(0).path("kind").stringValue()).isEqualTo("usage");
        assertThat(credits.path("entries").get(0).path("amountMicros").asLong()).isEqualTo(-11);
        assertThat(credits.path("entries").get(0).path("generationId").stringValue()).startsWith("gen-");
        assertThat(user.getJson("/api/credits?includeUsage=false").path("entries")).hasSize(1);
    }

    @Test
    void keysListWhatTheyHaveSpent() {
        call(laptop, false);

        await().atMost(Duration.ofSeconds(5)).ignoreExceptions().untilAsserted(() -> assertThat(user.getJson("/api/keys").valueStream()
            .filter(key -> key.path("name").stringValue().equals("laptop"))
            .findFirst().orElseThrow().path("usageMicros").asLong()).isEqualTo(11));
    }

    @Test
    void onlyOperatorsReachTheOperatorApiWhichShowsCostRevenueAndMargin() {
        user.get("/api/operator/summary").expectStatus().isForbidden();
        user.post("/api/operator/tenants/" + user.tenantId() + "/credits", Map.of("amountUsd", 5, "reason", "gift"))
            .expectStatus().isForbidden();

        DashboardUser operator = DashboardUser.signUpAs(client, TestEnvironment.OPERATOR_EMAIL);
        operator.post("/api/operator/markups", Map.of("tenantId", user.tenantId().toString(), "markup", "0.5"))
            .expectStatus().isCreated();
        operator.post("/api/operator/tenants/" + user.tenantId() + "/credits", Map.of("amountUsd", "2.5",
                "reason", "Welcome gift")).expectStatus().isCreated()
            .expectBody().jsonPath("$.balanceMicros").isEqualTo(12_500_000);
        call(laptop, false);

        await().atMost(Duration.ofSeconds(5)).ignoreExceptions().untilAsserted(() -> {
            JsonNode summary = operator.getJson("/api/operator/summary");
            JsonNode mine = summary.path("byTenant").valueStream()
                .filter(row -> row.path("tenantId").stringValue().equals(user.tenantId().toString()))
                .findFirst().orElseThrow();
            // 10,950,000 picos × 1.5 = 16.425 micros → 17; cost 11; margin 6.
            assertThat(mine.path("costMicros").asLong()).isEqualTo(11);
            assertThat(mine.path("revenueMicros").asLong()).isEqualTo(17);
            assertThat(mine.path("marginMicros").asLong()).isEqualTo(6);
        });
        // Read as /api/usage reads its period: a 400, not the 500 an unbounded year was.
        operator.get("/api/operator/summary?to=-999999999-01-01T00:00Z").expectStatus().isBadRequest();
        operator.get("/api/operator/summary?from=2026-02-01&to=2026-01-01").expectStatus().isBadRequest();
        // Every tenant's calls in the period, three times: a year at most, as /api/usage.
        operator.get("/api/operator/summary?from=2024-01-01&to=2026-01-01").expectStatus().isBadRequest()
            .expectBody().jsonPath("$.error.message").value(message -> assertThat((String) message)
                .contains("at most 367 days"));
        JsonNode ledger = user.getJson("/api/credits?includeUsage=false");
        assertThat(ledger.path("entries").get(0).path("kind").stringValue()).isEqualTo("adjustment");
        assertThat(ledger.path("entries").get(0).path("description").stringValue()).contains("Welcome gift")
            .contains(TestEnvironment.OPERATOR_EMAIL);
        assertThat(user.getJson("/api/me").path("operator").asBoolean()).isFalse();
        assertThat(operator.getJson("/api/me").path("operator").asBoolean()).isTrue();
    }

    @Test
    void theCatalogShowsEachTenantItsOwnPrices() {
        DashboardUser operator = DashboardUser.signUpAs(client, TestEnvironment.OPERATOR_EMAIL);
        operator.post("/api/operator/markups", Map.of("tenantId", user.tenantId().toString(),
                "modelId", "openai/gpt-4o-mini", "markup", "0.2")).expectStatus().isCreated();

        JsonNode mine = client.get().uri("/v1/models").header("Authorization", "Bearer " + laptop).exchange()
            .expectStatus().isOk().expectBody(JsonNode.class).returnResult().getResponseBody();
        JsonNode anyone = client.get().uri("/v1/models").exchange()
            .expectStatus().isOk().expectBody(JsonNode.class).returnResult().getResponseBody();

        assertThat(price(mine)).isEqualTo("0.00000018");
        assertThat(price(anyone)).isEqualTo("0.00000015");
        // The dashboard's catalog, by session: what this tenant pays, as its key sees it.
        assertThat(price(user.getJson("/api/models"))).isEqualTo("0.00000018");
        client.get().uri("/api/models").exchange().expectStatus().isUnauthorized();
    }

    private static String price(JsonNode models) {
        return models.path("data").valueStream()
            .filter(model -> model.path("id").stringValue().equals("openai/gpt-4o-mini"))
            .findFirst().orElseThrow().path("pricing").path("prompt").stringValue();
    }

    private void call(String key, boolean stream) {
        client.post().uri("/v1/chat/completions").header("Authorization", "Bearer " + key)
            .contentType(MediaType.APPLICATION_JSON)
            .bodyValue(Map.of("model", "openai/gpt-4o-mini", "stream", stream, "max_tokens", 100,
                    "messages", List.of(Map.of("role", "user", "content", "hi"))))
            .exchange()
            .expectBody().returnResult();
    }

}
