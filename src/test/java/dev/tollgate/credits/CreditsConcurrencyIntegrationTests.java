package dev.tollgate.credits;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.MediaType;
import org.springframework.http.codec.ServerSentEvent;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.test.web.reactive.server.WebTestClient;
import org.springframework.web.reactive.function.client.WebClient;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import tools.jackson.databind.JsonNode;

import dev.tollgate.account.AuthenticatedKey;
import dev.tollgate.common.ApiException;
import dev.tollgate.testsupport.DashboardUser;
import dev.tollgate.testsupport.FakeReply;
import dev.tollgate.testsupport.FakeUpstream;
import dev.tollgate.testsupport.IntegrationTest;
import dev.tollgate.testsupport.LedgerInvariant;
import dev.tollgate.testsupport.SecondInstance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * Money under concurrency, cancellation, failure and shutdown, against the real database. Each call here costs 11
 * micro-dollars (33 prompt + 10 completion tokens of gpt-4o-mini, see CreditsIntegrationTests) and is admitted with
 * a hold of at least that, since its prompt is long enough for the estimate to exceed 33 tokens and max_tokens is 10.
 */
@IntegrationTest
class CreditsConcurrencyIntegrationTests {

    private static final long CHARGE = 11;

    private static final Map<String, Object> REQUEST = Map.of("model", "openai/gpt-4o-mini", "max_tokens", 10,
            "messages", List.of(Map.of("role", "user", "content",
                    "Please count the letters of every word in this sentence, one word at a time, and nothing else.")));

    private static final ParameterizedTypeReference<ServerSentEvent<String>> SSE = new ParameterizedTypeReference<>() {
    };

    @Autowired
    WebTestClient client;

    @Autowired
    DatabaseClient db;

    @Autowired
    CreditService credits;

    @LocalServerPort
    int port;

    final FakeUpstream upstream = FakeUpstream.shared();

    DashboardUser user;

    String key;

    @BeforeEach
    void setUp() {
        upstream.reset();
        user = DashboardUser.signUp(client);
        key = user.createKey("load");
    }

    @AfterEach
    void moneyAddsUp() {
        new LedgerInvariant(db).holds();
    }

    @Test
    void twoHundredConcurrentRequestsNeverSpendMoreThanTheBalance() {
        setBalance(50 * CHARGE);

        Outcome outcome = fire(List.of("http://127.0.0.1:" + port), 200);

        assertThat(outcome.ok() + outcome.refused()).isEqualTo(200);
        assertThat(outcome.ok()).isBetween(1, 50);
        awaitSettled(outcome.ok());
        assertThat(balance()).isEqualTo(50 * CHARGE - outcome.ok() * CHARGE).isNotNegative();
    }

    @Test
    void aHoldCancelledWhileItsLeaseIsAskedForLeavesTheKeysLimitWhole() {
        setBalance(100_000_000);
        AuthenticatedKey limited = new AuthenticatedKey(UUID.randomUUID(), user.tenantId(), "limited", 10_000_000L);
        // Reads the key's spend into its budget, and leases the tenant's first slice ($1).
        credits.hold(limited, 10_000).block(Duration.ofSeconds(10)).release();

        // More than the slice: the database is asked for more, and the client is gone before it answers.
        credits.hold(limited, 5_000_000).subscribe().dispose();

        // The key's whole $10 is there again (it kept the $5 held: a 402 key_limit_reached for this one).
        Hold next = credits.hold(limited, 6_000_000).block(Duration.ofSeconds(10));
        assertThat(next.amountMicros()).isEqualTo(6_000_000);
        next.release();
    }

    /** Raising a key's limit by $0.50 lets $0.50 more through, whatever the key's calls in flight already hold. */
    @Test
    void aKeysNewLimitCountsTheHoldsMadeUnderTheOldOne() {
        setBalance(100_000_000);
        UUID keyId = UUID.randomUUID();
        AuthenticatedKey underOldLimit = new AuthenticatedKey(keyId, user.tenantId(), "limited", 1_000_000L);
        AuthenticatedKey underNewLimit = new AuthenticatedKey(keyId, user.tenantId(), "limited", 1_500_000L);
        List<Hold> inFlight = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            inFlight.add(credits.hold(underOldLimit, 100_000).block(Duration.ofSeconds(10)));
        }

        int admitted = 0;
        for (int i = 0; i < 15; i++) {
            try {
                inFlight.add(credits.hold(underNewLimit, 100_000).block(Duration.ofSeconds(10)));
                admitted++;
            }
            catch (ApiException refused) {
                assertThat(refused.code()).isEqualTo("key_limit_reached");
            }
        }

        assertThat(admitted).isEqualTo(5);
        inFlight.forEach(Hold::release);
    }

    /**
     * Renewals missed for longer than a lease lives (a database failover, say): other instances count the expired
     * lease as free money, so the wallet that kept spending it must lease anew, not add to it and revive it.
     */
    @Test
    void aLeaseThatExpiredUnderItsHoldsIsNotRevivedWithMoreOnTop() {
        setBalance(1_000_000);
        AuthenticatedKey unlimited = new AuthenticatedKey(UUID.randomUUID(), user.tenantId(), "unlimited", null);
        Hold first = credits.hold(unlimited, 600_000).block(Duration.ofSeconds(10));
        db.sql("update credit_lease set expires_at = now() - interval '1 second' where tenant_id = :tenant")
            .bind("tenant", user.tenantId()).then().block(Duration.ofSeconds(10));

        assertThatThrownBy(() -> credits.hold(unlimited, 450_000).block(Duration.ofSeconds(10)))
            .as("$0.60 held and $0.45 more asked of a $1.00 balance").isInstanceOfSatisfying(ApiException.class,
                    error -> assertThat(error.code()).isEqualTo("insufficient_credits"));
        assertThat(rows("""
                select coalesce(sum(amount_micros), 0) as n from credit_lease
                where tenant_id = '%s' and expires_at > now()""".formatted(user.tenantId())))
            .as("the live leases cover the hold made on the expired one").isBetween(600_000L, 1_000_000L);
        first.release();
    }

    @Test
    void theCreditsPageIsOneSnapshotWhileEntriesLand() {
        // Every adjustment below adds one entry and one micro-dollar in one transaction, so on any consistent view
        // the balance less the entry count stays what it was before them.
        JsonNode before = user.getJson("/api/credits?size=1");
        long constant = before.path("balanceMicros").asLong() - before.path("total").asLong();
        int adjustments = 300;
        CompletableFuture<Void> landing = Flux.range(0, adjustments)
            .flatMap(i -> credits.append(user.tenantId(), CreditKind.ADJUSTMENT, 1, null, "drip"), 4)
            .then()
            .toFuture();
        List<JsonNode> midway = new ArrayList<>();
        while (!landing.isDone()) {
            JsonNode page = user.getJson("/api/credits?size=1");
            long total = page.path("total").asLong();
            if (total > before.path("total").asLong() && total < before.path("total").asLong() + adjustments) {
                midway.add(page);
            }
            assertThat(page.path("balanceMicros").asLong() - total).as("balance less entries in %s", page)
                .isEqualTo(constant);
        }
        landing.join();
        assertThat(midway).as("pages read while the adjustments were landing").isNotEmpty();
    }

    @Test
    void twoInstancesSharingTheDatabaseNeverSpendMoreThanTheBalance() {
        setBalance(50 * CHARGE);
        try (SecondInstance second = SecondInstance.start()) {
            Outcome outcome = fire(List.of("http://127.0.0.1:" + port, second.baseUrl()), 200);

            assertThat(outcome.ok() + outcome.refused()).isEqualTo(200);
            assertThat(outcome.ok()).isBetween(1, 50);
            awaitSettled(outcome.ok());
            assertThat(balance()).isEqualTo(50 * CHARGE - outcome.ok() * CHARGE).isNotNegative();
        }
    }

    @Test
    void streamsCancelledByTheClientAreEachBilledOnceForWhatTheyDelivered() {
        int streams = 100;
        for (int i = 0; i < streams; i++) {
            // The provider stalls after 30 chunks, so every client below hangs up before the stream could end.
            upstream.enqueue(FakeUpstream.longStream(40, Duration.ZERO).pausingAfter(30));
        }
        WebClient web = WebClient.create("http://127.0.0.1:" + port);

        List<Integer> received = Flux.range(0, streams)
            .flatMap(i -> streamEvents(web, ThreadLocalRandom.current().nextInt(2, 30)).count().map(Long::intValue), 20)
            .collectList()
            .block(Duration.ofSeconds(60));

        assertThat(received).hasSize(streams);
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(rows("""
                select count(*) as n from request_log where api_key_id = (select id from api_key where name = 'load'
                and tenant_id = '%s') and cancelled and charge_micros > 0 and usage_source = 'tokenizer'
                and completion_tokens > 0""".formatted(user.tenantId()))).isEqualTo(streams));
        assertThat(rows("select count(*) as n from ledger_entry where kind = 'usage' and tenant_id = '%s'"
            .formatted(user.tenantId()))).isEqualTo(streams);
    }

    @Test
    void aStreamThatBreaksAfterItsFirstChunksIsBilledForThemAndOneThatNeverStartsIsFree() {
        upstream.enqueue(FakeUpstream.longStream(30, Duration.ZERO).droppingAfter(12));
        upstream.enqueueFailure(FakeReply.json(503, "{\"error\":{\"message\":\"overloaded\"}}"));
        WebClient web = WebClient.create("http://127.0.0.1:" + port);

        streamEvents(web, 1000).collectList().block(Duration.ofSeconds(10));
        web.post().uri("/v1/chat/completions").header("Authorization", "Bearer " + key)
            .contentType(MediaType.APPLICATION_JSON).bodyValue(streaming()).exchangeToMono(r -> r.releaseBody())
            .block(Duration.ofSeconds(10));

        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            assertThat(rows("""
                    select count(*) as n from request_log where tenant_id = '%s' and error_code = 'upstream_connection_lost'
                    and charge_micros > 0 and completion_tokens >= 11""".formatted(user.tenantId())))
                .as(() -> "request log: " + requestLog()).isEqualTo(1);
            assertThat(rows("""
                    select count(*) as n from request_log where tenant_id = '%s' and status = 503
                    and charge_micros = 0""".formatted(user.tenantId()))).isEqualTo(1);
        });
    }

    @Test
    void aGracefulShutdownInTheMiddleOfStreamingLosesNoUsage() {
        int streams = 20;
        for (int i = 0; i < streams; i++) {
            upstream.enqueue(FakeUpstream.longStream(30, Duration.ofMillis(20)));
        }
        SecondInstance second = SecondInstance.start();
        WebClient web = WebClient.create(second.baseUrl());
        AtomicInteger started = new AtomicInteger();

        Mono<List<Long>> traffic = Flux.range(0, streams)
            .flatMap(i -> streamEvents(web, 1000).doOnSubscribe(s -> started.incrementAndGet()).count(), streams)
            .collectList()
            .cache();
        traffic.subscribe();
        await().atMost(Duration.ofSeconds(10)).until(() -> upstream.requestCount() == streams);
        second.close();

        List<Long> frames = traffic.block(Duration.ofSeconds(30));
        assertThat(frames).hasSize(streams).allSatisfy(count -> assertThat(count).isEqualTo(33));
        assertThat(rows("""
                select count(*) as n from request_log where tenant_id = '%s' and status = 200 and not cancelled
                and charge_micros > 0 and usage_source = 'upstream'""".formatted(user.tenantId()))).isEqualTo(streams);
        assertThat(rows("select count(*) as n from credit_lease where tenant_id = '%s'".formatted(user.tenantId())))
            .as("the stopped instance gave its lease back").isZero();
    }

    private Flux<ServerSentEvent<String>> streamEvents(WebClient web, int take) {
        return web.post().uri("/v1/chat/completions").header("Authorization", "Bearer " + key)
            .contentType(MediaType.APPLICATION_JSON)
            .bodyValue(streaming())
            .retrieve()
            .bodyToFlux(SSE)
            .take(take);
    }

    private static Map<String, Object> streaming() {
        return Map.of("model", "openai/gpt-4o-mini", "stream", true, "max_tokens", 100,
                "messages", REQUEST.get("messages"));
    }

    private Outcome fire(List<String> instances, int requests) {
        AtomicInteger ok = new AtomicInteger();
        AtomicInteger refused = new AtomicInteger();
        List<WebClient> clients = instances.stream().map(WebClient::create).toList();
        Flux.range(0, requests)
            .flatMap(i -> clients.get(i % clients.size()).post().uri("/v1/chat/completions")
                .header("Authorization", "Bearer " + key)
                .contentType(MediaType.APPLICATION_JSON)
                .bodyValue(REQUEST)
                .exchangeToMono(response -> {
                    if (response.statusCode().value() == 200) {
                        ok.incrementAndGet();
                    }
                    else if (response.statusCode().value() == 402) {
                        refused.incrementAndGet();
                    }
                    return response.releaseBody();
                }), requests)
            .blockLast(Duration.ofSeconds(60));
        return new Outcome(ok.get(), refused.get());
    }

    private void awaitSettled(int requests) {
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(rows(
                "select count(*) as n from ledger_entry where kind = 'usage' and tenant_id = '%s'"
                    .formatted(user.tenantId()))).isEqualTo(requests));
    }

    private List<Map<String, Object>> requestLog() {
        return db.sql("select status, error_code, charge_micros, completion_tokens, usage_source, cancelled "
                + "from request_log where tenant_id = :tenant").bind("tenant", user.tenantId())
            .fetch().all().collectList().block(Duration.ofSeconds(10));
    }

    private long rows(String countSql) {
        return db.sql(countSql).map(row -> row.get("n", Long.class)).one().block(Duration.ofSeconds(10));
    }

    private long balance() {
        return credits.balance(user.tenantId()).block().balanceMicros();
    }

    private void setBalance(long micros) {
        credits.append(user.tenantId(), CreditKind.ADJUSTMENT, micros - balance(), null, "test").block();
    }

    private record Outcome(int ok, int refused) {
    }

}
