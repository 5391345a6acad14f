package dev.tollgate.routing;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.http.MediaType;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.test.web.reactive.server.EntityExchangeResult;
import org.springframework.test.web.reactive.server.WebTestClient;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import dev.tollgate.testsupport.DashboardUser;
import dev.tollgate.testsupport.FakeReply;
import dev.tollgate.testsupport.FakeUpstream;
import dev.tollgate.testsupport.RecordedRequest;
import dev.tollgate.testsupport.RequestLog;
import dev.tollgate.testsupport.SecondInstance;
import dev.tollgate.testsupport.SseText;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Fallbacks, retries, circuit breakers and key pools, on an instance of its own with three hosts of the same fake
 * upstream (hosta, hostb, hostc) and models routed over them:
 * {@code test/open-model} on hosta (its catalog route) and hostb (a second route, cheaper per token),
 * {@code test/backup-model} on hostc, {@code test/breaker-model} on hostc then hostb, and {@code test/keyed-model}
 * on hostk, which has two upstream keys, {@code test/quota-model} on hostq then hostz. Each route is tried twice before the next; a {@code Retry-After} up to two
 * seconds is waited for.
 */
class RoutingIntegrationTests {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    static SecondInstance tollgate;

    static WebTestClient client;

    static DatabaseClient db;

    final FakeUpstream upstream = FakeUpstream.shared();

    String key;

    @BeforeAll
    static void start() {
        String fake = FakeUpstream.shared().baseUrl();
        tollgate = SecondInstance.start(Map.ofEntries(
                Map.entry("tollgate.providers.hosta.type", "openai-compatible"),
                Map.entry("tollgate.providers.hosta.base-url", fake + "/hosta/v1"),
                Map.entry("tollgate.providers.hosta.timeouts.first-byte", "1s"),
                Map.entry("tollgate.providers.hostb.type", "openai-compatible"),
                Map.entry("tollgate.providers.hostb.base-url", fake + "/hostb/v1"),
                Map.entry("tollgate.providers.hostc.type", "openai-compatible"),
                Map.entry("tollgate.providers.hostc.base-url", fake + "/hostc/v1"),
                Map.entry("tollgate.providers.hostk.type", "openai-compatible"),
                Map.entry("tollgate.providers.hostk.base-url", fake + "/hostk/v1"),
                Map.entry("tollgate.providers.hostk.api-keys", "key-zero,key-one"),
                Map.entry("tollgate.providers.hostj.type", "openai-compatible"),
                Map.entry("tollgate.providers.hostj.base-url", fake + "/hostj/v1"),
                Map.entry("tollgate.providers.hostj.api-keys", "key-j0,key-j1"),
                Map.entry("tollgate.providers.hoste.type", "openai-compatible"),
                Map.entry("tollgate.providers.hoste.base-url", fake + "/hoste/v1"),
                Map.entry("tollgate.providers.hoste.api-keys", "key-e0,key-e1"),
                Map.entry("tollgate.providers.hostr.type", "openai-compatible"),
                Map.entry("tollgate.providers.hostr.base-url", fake + "/hostr/v1"),
                Map.entry("tollgate.providers.hostr.api-keys", "key-revoked,key-good"),
                Map.entry("tollgate.providers.hosts.type", "openai-compatible"),
                Map.entry("tollgate.providers.hosts.base-url", fake + "/hosts/v1"),
                Map.entry("tollgate.providers.hostf.type", "openai-compatible"),
                Map.entry("tollgate.providers.hostf.base-url", fake + "/hostf/v1"),
                Map.entry("tollgate.providers.hostq.type", "openai-compatible"),
                Map.entry("tollgate.providers.hostq.base-url", fake + "/hostq/v1"),
                Map.entry("tollgate.providers.hostz.type", "openai-compatible"),
                Map.entry("tollgate.providers.hostz.base-url", fake + "/hostz/v1")));
        client = WebTestClient.bindToServer().baseUrl(tollgate.baseUrl()).responseTimeout(Duration.ofSeconds(30))
            .build();
        db = tollgate.bean(DatabaseClient.class);
        db.sql("""
                insert into model (id, provider, upstream_id, name, context_length, max_output_tokens) values
                    ('test/open-model', 'hosta', 'open-model', 'Open model', 8192, 1000),
                    ('test/backup-model', 'hostc', 'backup-model', 'Backup model', 8192, 1000),
                    ('test/breaker-model', 'hostc', 'breaker-model', 'Breaker model', 8192, 1000),
                    ('test/keyed-model', 'hostk', 'keyed-model', 'Keyed model', 8192, 1000),
                    ('test/revoked-key-model', 'hostr', 'revoked-key-model', 'Revoked key model', 8192, 1000),
                    ('test/speed-model', 'hosts', 'speed-model', 'Speed model', 8192, 1000),
                    ('test/switching-model', 'hostj', 'switching-model', 'Switching model', 8192, 1000),
                    ('test/quota-model', 'hostq', 'quota-model', 'Quota model', 8192, 1000)
                on conflict do nothing""").then().block();
        db.sql("""
                insert into model (id, provider, upstream_id, name, context_length, max_output_tokens, kind) values
                    ('test/keyed-embedding', 'hoste', 'keyed-embedding', 'Keyed embedding', 8192, null, 'embedding')
                on conflict do nothing""").then().block();
        db.sql("""
                insert into model_price (model_id, input_per_mtok_micros, output_per_mtok_micros, effective_from)
                values ('test/open-model', 150000, 600000, '2025-01-01T00:00:00Z'),
                       ('test/backup-model', 300000, 1200000, '2025-01-01T00:00:00Z'),
                       ('test/breaker-model', 150000, 600000, '2025-01-01T00:00:00Z'),
                       ('test/keyed-model', 150000, 600000, '2025-01-01T00:00:00Z'),
                       ('test/revoked-key-model', 150000, 600000, '2025-01-01T00:00:00Z'),
                       ('test/speed-model', 150000, 600000, '2025-01-01T00:00:00Z'),
                       ('test/switching-model', 150000, 600000, '2025-01-01T00:00:00Z'),
                       ('test/quota-model', 150000, 600000, '2025-01-01T00:00:00Z'),
                       ('test/keyed-embedding', 20000, 0, '2025-01-01T00:00:00Z')
                on conflict do nothing""").then().block();
        db.sql("""
                insert into model_route (model_id, provider, upstream_id, priority, input_per_mtok_micros,
                    output_per_mtok_micros) values
                    ('test/open-model', 'hostb', 'open-model-on-b', 10, 50000, 100000),
                    ('test/breaker-model', 'hostb', 'breaker-model-on-b', 10, null, null),
                    ('test/speed-model', 'hostf', 'speed-model-on-f', 10, null, null),
                    ('test/quota-model', 'hostz', 'quota-model-on-z', 10, null, null)
                on conflict do nothing""").then().block();
        // The catalog and the prices are re-read every second in tests, each on its own: wait until both serve the
        // new models (a first test found the models listed and their prices not yet read).
        await().atMost(Duration.ofSeconds(10)).until(() -> JSON.readTree(client.get().uri("/v1/models").exchange()
            .expectBody(String.class).returnResult().getResponseBody()).path("data").valueStream()
            .filter(model -> model.has("pricing")).map(model -> model.path("id").stringValue()).toList()
            .containsAll(List.of("test/open-model", "test/backup-model", "test/breaker-model", "test/keyed-model",
                    "test/revoked-key-model", "test/speed-model", "test/switching-model", "test/quota-model",
                    "test/keyed-embedding")));
    }

    @AfterAll
    static void stop() {
        tollgate.close();
    }

    @BeforeEach
    void setUp() {
        upstream.reset();
        key = DashboardUser.signUp(client).createKey("routing");
    }

    @Test
    void aFailingProviderIsRetriedThenTheNextOneServes() {
        upstream.enqueueFailure(FakeReply.json(500, "{\"error\":{\"message\":\"boom\"}}"));

        EntityExchangeResult<byte[]> result = chat(request("test/open-model", false)).expectStatus().isOk()
            .expectBody().returnResult();

        assertThat(hosts(3)).containsExactly("hosta", "hosta", "hostb");
        String generation = generationId(result);
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(attempts(generation))
            .extracting(row -> row.get("provider") + ":" + row.get("status"))
            .containsExactly("hosta:500", "hosta:500", "hostb:200"));
        assertThat(new RequestLog(db).row(generation).get("provider")).isEqualTo("hostb");
        JsonNode stats = getJson("/v1/generation?id=" + generation).path("data");
        assertThat(stats.path("provider_name").stringValue()).isEqualTo("hostb");
    }

    @Test
    void theServingHostsPriceIsTheOperatorsCostWhileTheTenantPaysTheCatalogPrice() {
        upstream.enqueueFailure(FakeReply.json(500, "{\"error\":{\"message\":\"boom\"}}"));

        String generation = generationId(chat(request("test/open-model", false)).expectStatus().isOk()
            .expectBody().returnResult());

        Map<String, Object> row = new RequestLog(db).row(generation);
        // 33 × 150000 + 10 × 600000 picos → 11 micros charged; hostb's price 33 × 50000 + 10 × 100000 → 3 micros cost.
        assertThat(row.get("charge_micros")).isEqualTo(11L);
        assertThat(row.get("cost_micros")).isEqualTo(3L);
    }

    @Test
    void aBadRequestIsNeitherRetriedNorSentElsewhere() {
        upstream.enqueue(FakeReply.json(400, "{\"error\":{\"message\":\"messages[0] is invalid\","
                + "\"type\":\"invalid_request_error\",\"param\":null,\"code\":null}}"));

        chat(request("test/open-model", false)).expectStatus().isBadRequest();

        assertThat(upstream.requestCount()).isEqualTo(1);
    }

    /**
     * With fallback models, a request one model refuses (a prompt too long for its context) goes to the next model,
     * as OpenRouter's fallbacks do; never to another route of the model that refused it.
     */
    @Test
    void aBadRequestGoesToTheNextFallbackModel() {
        upstream.enqueue(FakeReply.json(400, "{\"error\":{\"message\":\"This model's maximum context length is "
                + "8192 tokens.\",\"type\":\"invalid_request_error\",\"param\":\"messages\","
                + "\"code\":\"context_length_exceeded\"}}"));
        Map<String, Object> request = Map.of("model", "test/open-model", "models", List.of("test/backup-model"),
                "max_tokens", 50, "messages", List.of(Map.of("role", "user", "content", "a long story")));

        chat(request).expectStatus().isOk().expectBody().jsonPath("$.model").isEqualTo("test/backup-model");

        assertThat(hosts(2)).containsExactly("hosta", "hostc");
    }

    /**
     * A request every model refuses asks each model once, however often the list names it, and the list is short: a
     * refusal is free, and a long list would have one call fan out over the provider keys every tenant shares.
     */
    @Test
    void aRequestEveryModelRefusesAsksEachModelOnce() {
        for (int i = 0; i < 4; i++) {
            upstream.enqueue(FakeReply.json(400, "{\"error\":{\"message\":\"messages[0] is invalid\","
                    + "\"type\":\"invalid_request_error\",\"param\":null,\"code\":null}}"));
        }
        Map<String, Object> request = Map.of("model", "test/open-model", "models", List.of("test/backup-model",
                "test/speed-model", "test/backup-model", "test/speed-model", "test/open-model"),
                "max_tokens", 50, "messages", List.of(Map.of("role", "user", "content", "hi")));

        chat(request).expectStatus().isBadRequest();

        assertThat(hosts(3)).containsExactly("hosta", "hostc", "hosts");

        List<String> eleven = java.util.Collections.nCopies(11, "test/backup-model");
        chat(Map.of("model", "test/open-model", "models", eleven, "messages",
                List.of(Map.of("role", "user", "content", "hi"))))
            .expectStatus().isBadRequest()
            .expectBody().jsonPath("$.error.param").isEqualTo("models");
        assertThat(upstream.requestCount()).isZero();
    }

    @Test
    void aShortRetryAfterIsWaitedForOnTheSameRoute() {
        upstream.enqueue(FakeReply.json(429, "{\"error\":{\"message\":\"slow down\"}}").withHeader("retry-after", "1"));

        chat(request("test/open-model", false)).expectStatus().isOk();

        assertThat(hosts(2)).containsExactly("hosta", "hosta");
    }

    @Test
    void aLongRetryAfterMovesOnToTheNextRoute() {
        upstream.enqueue(FakeReply.json(429, "{\"error\":{\"message\":\"quota\"}}").withHeader("retry-after", "30"));

        chat(request("test/open-model", false)).expectStatus().isOk();

        assertThat(hosts(2)).containsExactly("hosta", "hostb");
    }

    @Test
    void whenEveryRouteIsRateLimitedTheClientGets429WithRetryAfter() {
        upstream.enqueue(FakeReply.json(429, "{\"error\":{\"message\":\"quota\"}}").withHeader("retry-after", "30"),
                FakeReply.json(429, "{\"error\":{\"message\":\"quota\"}}").withHeader("retry-after", "40"));

        chat(request("test/open-model", false)).expectStatus().isEqualTo(429)
            .expectHeader().exists("Retry-After");
    }

    /**
     * A later route's spent quota does not hide an earlier one's rate limit: the client may wait that one out. Hosts
     * of its own: both are left resting.
     */
    @Test
    void aRateLimitIsWhatTheClientGetsThoughALaterRoutesQuotaIsSpent() {
        upstream.enqueue(FakeReply.json(429, "{\"error\":{\"message\":\"quota\"}}").withHeader("retry-after", "30"),
                FakeReply.json(429, "{\"error\":{\"message\":\"You exceeded your current quota.\","
                        + "\"type\":\"insufficient_quota\",\"code\":\"insufficient_quota\"}}"));

        chat(request("test/quota-model", false)).expectStatus().isEqualTo(429)
            .expectHeader().exists("Retry-After")
            .expectBody().jsonPath("$.error.code").isEqualTo("upstream_rate_limited");
    }

    @Test
    void aConnectionResetBeforeAnyAnswerIsRetried() {
        upstream.enqueue(FakeReply.disconnect());

        chat(request("test/open-model", false)).expectStatus().isOk();

        assertThat(hosts(2)).containsExactly("hosta", "hosta");
    }

    @Test
    void aProviderSlowToStartIsGivenUpForTheNextRouteWithoutBeingAskedAgain() {
        upstream.enqueueFailure(FakeReply.hang());

        chat(request("test/open-model", false)).expectStatus().isOk();

        assertThat(hosts(2)).containsExactly("hosta", "hostb");
    }

    @Test
    void aStreamFailsOverBeforeItsFirstByte() {
        upstream.enqueueFailure(FakeReply.json(503, "{\"error\":{\"message\":\"overloaded\"}}"));

        String body = chat(request("test/open-model", true)).expectStatus().isOk().expectBody(String.class)
            .returnResult().getResponseBody();

        assertThat(SseText.dataOf(body)).last().isEqualTo("[DONE]");
        assertThat(hosts(3)).containsExactly("hosta", "hosta", "hostb");
    }

    @Test
    void aStreamThatBrokeAfterItsFirstByteIsNeverRetried() {
        upstream.enqueue(FakeUpstream.longStream(10, Duration.ZERO).droppingAfter(3));

        String body = chat(request("test/open-model", true)).expectStatus().isOk().expectBody(String.class)
            .returnResult().getResponseBody();

        assertThat(body).contains("\"error\"").doesNotContain("[DONE]");
        assertThat(upstream.requestCount()).isEqualTo(1);
    }

    @Test
    void theRequestsProviderOrderComesFirst() {
        chat(withProvider(Map.of("order", List.of("hostb")))).expectStatus().isOk();

        assertThat(hosts(1)).containsExactly("hostb");
    }

    @Test
    void withoutFallbacksOnlyTheOrderedProvidersAreTried() {
        upstream.enqueueFailure(FakeReply.json(500, "{\"error\":{\"message\":\"boom\"}}"));

        chat(withProvider(Map.of("order", List.of("hosta"), "allow_fallbacks", false)))
            .expectStatus().isEqualTo(502);

        assertThat(hosts(2)).containsExactly("hosta", "hosta");
    }

    @Test
    void sortingByPriceTriesTheCheapestHostFirst() {
        chat(withProvider(Map.of("sort", "price"))).expectStatus().isOk();

        assertThat(hosts(1)).containsExactly("hostb");
    }

    /** Only this test calls hosts and hostf, so their averages are its own. */
    @Test
    void sortingByThroughputTriesTheHostThatWroteFastestFirst() {
        // Five tokens over seven 30 ms gaps on hosts; at once on hostf.
        upstream.enqueue(FakeUpstream.longStream(5, Duration.ofMillis(30)), FakeUpstream.longStream(5, Duration.ZERO));
        for (String host : List.of("hosts", "hostf")) {
            chat(speedRequest(true, Map.of("order", List.of(host), "allow_fallbacks", false))).expectStatus().isOk()
                .expectBody().returnResult();
        }
        assertThat(hosts(2)).containsExactly("hosts", "hostf");

        // By speed, hostf comes first; by the catalog, hosts does.
        chat(speedRequest(false, Map.of("sort", "throughput"))).expectStatus().isOk();
        chat(speedRequest(false, Map.of())).expectStatus().isOk();
        assertThat(hosts(2)).containsExactly("hostf", "hosts");
    }

    @Test
    void ignoredProvidersAreNeverTried() {
        chat(withProvider(Map.of("ignore", List.of("hosta")))).expectStatus().isOk();

        assertThat(hosts(1)).containsExactly("hostb");
    }

    @Test
    void whenAModelsRoutesAllFailTheNextModelServesAtItsOwnPrice() {
        for (int i = 0; i < 2; i++) {
            upstream.enqueueFailure(FakeReply.json(500, "{\"error\":{\"message\":\"boom\"}}"));
        }
        Map<String, Object> request = Map.of("model", "test/open-model", "models", List.of("test/backup-model"),
                "max_tokens", 50, "messages", List.of(Map.of("role", "user", "content", "hi")));

        String generation = generationId(chat(request).expectStatus().isOk().expectBody().returnResult());

        assertThat(hosts(5)).containsExactly("hosta", "hosta", "hostb", "hostb", "hostc");
        Map<String, Object> row = new RequestLog(db).row(generation);
        assertThat(row.get("model")).isEqualTo("test/backup-model");
        // The backup model costs twice as much: 33 × 300000 + 10 × 1200000 picos → 22 micros.
        assertThat(row.get("charge_micros")).isEqualTo(22L);
    }

    /**
     * As OpenRouter reads it: models without a model asks for the first, then the others in turn. (Hosts no other
     * test here leaves resting: a Retry-After of 30 s on hosta or hostb outlives the test that got it.)
     */
    @Test
    void aListOfModelsWithoutAModelStartsWithTheFirst() {
        Map<String, Object> request = Map.of("models", List.of("test/backup-model", "test/open-model"),
                "max_tokens", 50, "messages", List.of(Map.of("role", "user", "content", "hi")));

        chat(request).expectStatus().isOk().expectBody().jsonPath("$.model").isEqualTo("test/backup-model");

        assertThat(hosts(1)).containsExactly("hostc");
    }

    @Test
    void aFailingProvidersBreakerOpensSoItIsSkippedThenProbedAgain() {
        // Breakers need an instance of their own: the other tests here fail providers on purpose.
        try (SecondInstance tight = SecondInstance.start(Map.ofEntries(
                Map.entry("tollgate.providers.hostb.type", "openai-compatible"),
                Map.entry("tollgate.providers.hostb.base-url", upstream.baseUrl() + "/hostb/v1"),
                Map.entry("tollgate.providers.hostc.type", "openai-compatible"),
                Map.entry("tollgate.providers.hostc.base-url", upstream.baseUrl() + "/hostc/v1"),
                Map.entry("tollgate.routing.breaker.enabled", "true"),
                Map.entry("tollgate.routing.breaker.window", "4"),
                Map.entry("tollgate.routing.breaker.minimum-calls", "4"),
                Map.entry("tollgate.routing.breaker.failure-rate-percent", "50"),
                Map.entry("tollgate.routing.breaker.open-for", "1s"),
                Map.entry("tollgate.routing.breaker.probes", "1")))) {
            WebTestClient tightClient = WebTestClient.bindToServer().baseUrl(tight.baseUrl()).build();
            await().atMost(Duration.ofSeconds(10)).until(() -> tightClient.get().uri("/v1/models").exchange()
                .expectBody(String.class).returnResult().getResponseBody().contains("test/breaker-model"));
            breakerScenario(tightClient);
        }
    }

    private void breakerScenario(WebTestClient client) {
        // Two requests whose two attempts each fail on hostc: four failures open its breaker (the next route serves).
        for (int i = 0; i < 2; i++) {
            upstream.enqueueFailure(FakeReply.json(500, "{\"error\":{\"message\":\"down\"}}"));
            upstream.enqueue(FakeReply.fixture(200, "openai/chat-completion.json"));
            chatOn(client, request("test/breaker-model", false)).expectStatus().isOk();
        }
        assertThat(hosts(6)).containsExactly("hostc", "hostc", "hostb", "hostc", "hostc", "hostb");

        chatOn(client, request("test/breaker-model", false)).expectStatus().isOk();
        assertThat(hosts(1)).as("hostc is skipped while its breaker is open").containsExactly("hostb");

        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
            chatOn(client, request("test/breaker-model", false)).expectStatus().isOk();
            assertThat(hosts(1)).as("after a while one probe goes to hostc again").containsExactly("hostc");
        });
        chatOn(client, request("test/breaker-model", false)).expectStatus().isOk();
        assertThat(hosts(1)).as("the probe succeeded: hostc is back").containsExactly("hostc");
    }

    @Test
    void aRateLimitedUpstreamKeyIsCooledDownWhileTheOtherCarriesOn() {
        theOtherKeyServesAfter(FakeReply.json(429, "{\"error\":{\"message\":\"key quota\"}}")
            .withHeader("retry-after", "30"), "test/keyed-model", "the cooled key rests for its Retry-After");
    }

    /**
     * A revoked key fails at once, so it always had the fewest calls in flight and drew most calls, each a 502 while
     * the provider's other key worked. It now rests, and the call is tried again with the other key.
     */
    @Test
    void aRefusedUpstreamKeyRestsAndTheCallIsRetriedWithAnotherKey() {
        theOtherKeyServesAfter(FakeReply.json(401, "{\"error\":{\"message\":\"Incorrect API key provided\","
                + "\"type\":\"invalid_request_error\",\"code\":\"invalid_api_key\"}}"), "test/revoked-key-model",
                "the refused key rests");
    }

    /**
     * A key's 429 with the provider's other key free is tried again at once with it, even when the route's tries are
     * used up (here by a 500): it says nothing about the provider. It used to move on, and with no other route the
     * client got the 429.
     */
    @Test
    void anotherKeyIsTriedAtOnceEvenAfterTheRoutesTries() {
        upstream.enqueue(FakeReply.json(500, "{\"error\":{\"message\":\"boom\"}}"),
                FakeReply.json(429, "{\"error\":{\"message\":\"key quota\"}}").withHeader("retry-after", "30"));

        chat(request("test/switching-model", false)).expectStatus().isOk();

        upstream.takeRequest();
        RecordedRequest limited = upstream.takeRequest();
        RecordedRequest switched = upstream.takeRequest();
        assertThat(switched.header("Authorization")).isNotEqualTo(limited.header("Authorization"));
    }

    /** Embeddings had no retry at all: a key's 429 reached the client while the provider's other key was free. */
    @Test
    void anEmbeddingIsTriedAgainWithAnotherKey() {
        upstream.enqueue(FakeReply.json(429, "{\"error\":{\"message\":\"key quota\"}}")
            .withHeader("retry-after", "30"), FakeReply.json(200, """
                {"object":"list","data":[{"object":"embedding","embedding":[0.1,-0.2],"index":0}],
                 "model":"keyed-embedding","usage":{"prompt_tokens":3,"total_tokens":3}}"""));

        client.post().uri("/v1/embeddings").header("Authorization", "Bearer " + key)
            .contentType(MediaType.APPLICATION_JSON).bodyValue(Map.of("model", "test/keyed-embedding", "input", "hi"))
            .exchange()
            .expectStatus().isOk();

        RecordedRequest limited = upstream.takeRequest();
        RecordedRequest switched = upstream.takeRequest();
        assertThat(limited.uri()).endsWith("/embeddings");
        assertThat(switched.header("Authorization")).isNotEqualTo(limited.header("Authorization"));
    }

    /** The first key's answer is {@code refusal}; the call, and the next three, are served with the other key. */
    private void theOtherKeyServesAfter(FakeReply refusal, String model, String why) {
        upstream.enqueue(refusal);

        chat(request(model, false)).expectStatus().isOk();
        RecordedRequest refused = upstream.takeRequest();
        RecordedRequest retried = upstream.takeRequest();
        assertThat(retried.header("Authorization")).isNotEqualTo(refused.header("Authorization"));

        for (int i = 0; i < 3; i++) {
            chat(request(model, false)).expectStatus().isOk();
            assertThat(upstream.takeRequest().header("Authorization")).as(why)
                .isEqualTo(retried.header("Authorization"));
        }
    }

    private List<String> hosts(int count) {
        List<String> hosts = new java.util.ArrayList<>();
        for (int i = 0; i < count; i++) {
            String uri = upstream.takeRequest().uri();
            hosts.add(uri.substring(1, uri.indexOf('/', 1)));
        }
        assertThat(upstream.requestCount()).as("no other request reached a provider").isZero();
        return hosts;
    }

    private List<Map<String, Object>> attempts(String generationId) {
        UUID id = RequestLog.uuidOf(generationId);
        return db.sql("select * from request_attempt where request_id = :id order by attempt").bind("id", id)
            .fetch().all().collectList().block(Duration.ofSeconds(5));
    }

    private JsonNode getJson(String path) {
        return JSON.readTree(client.get().uri(path).header("Authorization", "Bearer " + key).exchange()
            .expectStatus().isOk().expectBody().returnResult().getResponseBody());
    }

    private WebTestClient.ResponseSpec chat(Object body) {
        return chatOn(client, body);
    }

    private WebTestClient.ResponseSpec chatOn(WebTestClient client, Object body) {
        return client.post().uri("/v1/chat/completions").header("Authorization", "Bearer " + key)
            .contentType(MediaType.APPLICATION_JSON).bodyValue(body).exchange();
    }

    private static Map<String, Object> request(String model, boolean stream) {
        return Map.of("model", model, "stream", stream, "max_tokens", 50,
                "messages", List.of(Map.of("role", "user", "content", "hi")));
    }

    private static Map<String, Object> speedRequest(boolean stream, Map<String, Object> provider) {
        return Map.of("model", "test/speed-model", "stream", stream, "provider", provider,
                "messages", List.of(Map.of("role", "user", "content", "hi")));
    }

    private static Map<String, Object> withProvider(Map<String, Object> provider) {
        return Map.of("model", "test/open-model", "max_tokens", 50, "provider", provider,
                "messages", List.of(Map.of("role", "user", "content", "hi")));
    }

    private static String generationId(EntityExchangeResult<?> result) {
        return result.getResponseHeaders().getFirst("x-tollgate-generation-id");
    }

}
