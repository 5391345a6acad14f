package dev.tollgate.ratelimit;

import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class LocalRateLimiterTests {

    private static final Duration WINDOW = Duration.ofMinutes(1);

    private final AtomicLong now = new AtomicLong(1_000_000_000L);

    private final LocalRateLimiter limiter = new LocalRateLimiter(WINDOW, now::get);

    private final UUID tenant = UUID.randomUUID();

    private ExecutorService threads;

    @AfterEach
    void stopThreads() {
        if (threads != null) {
            threads.shutdownNow();
        }
    }

    @Test
    void aKeyMayBurstUpToItsLimitAndIsThenRefused() {
        List<Scope> scopes = List.of(key(new Limits(3, 0)));

        for (int i = 0; i < 3; i++) {
            assertThat(limiter.takeNow(scopes, 0).allowed()).isTrue();
        }
        Verdict refused = limiter.takeNow(scopes, 0);

        assertThat(refused.allowed()).isFalse();
        assertThat(refused.levels().get(0).requests()).isCloseTo(3, within(1e-9));
    }

    @Test
    void theBucketDrainsAtTheLimitPerWindowSoOneMoreRequestFitsAfterAThirdOfAWindowAtThreePerWindow() {
        List<Scope> scopes = List.of(key(new Limits(3, 0)));
        for (int i = 0; i < 3; i++) {
            limiter.takeNow(scopes, 0);
        }

        advance(WINDOW.dividedBy(3).minusMillis(1));
        assertThat(limiter.takeNow(scopes, 0).allowed()).isFalse();
        advance(Duration.ofMillis(1));
        assertThat(limiter.takeNow(scopes, 0).allowed()).isTrue();
        assertThat(limiter.takeNow(scopes, 0).allowed()).isFalse();

        advance(WINDOW);
        for (int i = 0; i < 3; i++) {
            assertThat(limiter.takeNow(scopes, 0).allowed()).as("request %d after a full window", i).isTrue();
        }
    }

    @Test
    void tokensCountAgainstTheTokenLimitAndAnOversizedRequestNeverFits() {
        List<Scope> scopes = List.of(key(new Limits(0, 1000)));

        assertThat(limiter.takeNow(scopes, 600).allowed()).isTrue();
        assertThat(limiter.takeNow(scopes, 500).allowed()).isFalse();
        assertThat(limiter.takeNow(scopes, 400).allowed()).isTrue();

        advance(WINDOW.multipliedBy(10));
        assertThat(limiter.takeNow(scopes, 1001).allowed()).isFalse();
        assertThat(limiter.takeNow(scopes, 1000).allowed()).isTrue();
    }

    @Test
    void aRequestRefusedByTheTenantIsNotCountedAgainstItsKey() {
        Scope key = key(new Limits(10, 0));
        Scope tenantScope = Scope.tenant(tenant, new Limits(1, 0));
        assertThat(limiter.takeNow(List.of(key, tenantScope), 0).allowed()).isTrue();

        Verdict refused = limiter.takeNow(List.of(key, tenantScope), 0);

        assertThat(refused.allowed()).isFalse();
        assertThat(refused.levels().get(0).requests()).as("the key's level, as it was").isCloseTo(1, within(1e-9));
        assertThat(refused.levels().get(1).requests()).isCloseTo(1, within(1e-9));
        assertThat(limiter.takeNow(List.of(key), 0).levels().get(0).requests()).isCloseTo(2, within(1e-9));
    }

    @Test
    void anotherKeyOfTheSameTenantSharesTheTenantLimitButNotTheKeyLimit() {
        Scope tenantScope = Scope.tenant(tenant, new Limits(3, 0));
        Scope first = key(new Limits(2, 0));
        Scope second = key(new Limits(2, 0));

        assertThat(limiter.takeNow(List.of(first, tenantScope), 0).allowed()).isTrue();
        assertThat(limiter.takeNow(List.of(first, tenantScope), 0).allowed()).isTrue();
        assertThat(limiter.takeNow(List.of(first, tenantScope), 0).allowed()).as("the first key's own limit").isFalse();
        assertThat(limiter.takeNow(List.of(second, tenantScope), 0).allowed()).isTrue();
        assertThat(limiter.takeNow(List.of(second, tenantScope), 0).allowed()).as("the tenant's limit").isFalse();
    }

    @Test
    void correctingTokensGivesBackWhatACallDidNotUseAndChargesWhatItUsedBeyond() {
        List<Scope> scopes = List.of(key(new Limits(0, 1000)));
        assertThat(limiter.takeNow(scopes, 900).allowed()).isTrue();
        assertThat(limiter.takeNow(scopes, 900).allowed()).isFalse();

        limiter.adjustTokens(scopes, -850);

        assertThat(limiter.takeNow(scopes, 900).allowed()).isTrue();
        limiter.adjustTokens(scopes, 500);
        Verdict over = limiter.takeNow(scopes, 1);
        assertThat(over.allowed()).isFalse();
        assertThat(over.levels().get(0).tokens()).isCloseTo(1450, within(1e-6));
    }

    @Test
    void drainedScopesAreForgottenAndBusyOnesKept() {
        Scope idle = key(new Limits(5, 0));
        Scope busy = key(new Limits(5, 0));
        limiter.takeNow(List.of(idle), 0);
        advance(WINDOW.dividedBy(10));
        limiter.takeNow(List.of(busy), 0);
        limiter.takeNow(List.of(busy), 0);

        advance(WINDOW.dividedBy(10));
        limiter.forgetIdle();

        assertThat(limiter.size()).isEqualTo(1);
        assertThat(limiter.takeNow(List.of(busy), 0).levels().get(0).requests()).isCloseTo(2.5, within(1e-9));
        assertThat(limiter.takeNow(List.of(idle), 0).levels().get(0).requests()).isCloseTo(1, within(1e-9));
    }

    @Test
    void concurrentRequestsOfOneScopeNeverExceedItsLimit() throws Exception {
        LocalRateLimiter frozen = new LocalRateLimiter(Duration.ofDays(365), System::nanoTime);
        List<Scope> scopes = List.of(key(new Limits(500, 0)), Scope.tenant(tenant, new Limits(0, 100_000)));
        threads = Executors.newFixedThreadPool(8);
        CountDownLatch start = new CountDownLatch(1);
        AtomicInteger allowed = new AtomicInteger();
        for (int t = 0; t < 8; t++) {
            threads.submit(() -> {
                start.await();
                for (int i = 0; i < 250; i++) {
                    if (frozen.takeNow(scopes, 100).allowed()) {
                        allowed.incrementAndGet();
                    }
                }
                return null;
            });
        }
        start.countDown();
        threads.shutdown();
        assertThat(threads.awaitTermination(30, TimeUnit.SECONDS)).isTrue();

        // 2000 attempts; the key allows 500 requests, the tenant 1000 requests' worth of tokens: the key binds.
        assertThat(allowed.get()).isEqualTo(500);
    }

    /**
     * A refusal reports the levels the request did not fit. It used to read the bucket again, and when another call
     * gave tokens back in between (a settle, as nearly every call makes) the levels read showed room: the refusal
     * then reported nothing refused, an IllegalArgumentException and a 500 instead of a 429.
     */
    @Test
    void aRefusalReportsTheLevelsItDidNotFitWhileOtherCallsGiveTokensBack() throws Exception {
        List<Scope> scopes = List.of(key(new Limits(0, 1000)));
        threads = Executors.newFixedThreadPool(1);
        AtomicInteger refusals = new AtomicInteger();
        Future<?> filling = threads.submit(() -> {
            while (!Thread.currentThread().isInterrupted()) {
                if (limiter.takeNow(scopes, 990).allowed()) {
                    limiter.adjustTokens(scopes, -990);
                }
            }
        });
        for (int i = 0; i < 200_000; i++) {
            Verdict verdict = limiter.takeNow(scopes, 50);
            if (verdict.allowed()) {
                limiter.adjustTokens(scopes, -50);
            }
            else {
                refusals.incrementAndGet();
                assertThat(RateLimitHeaders.refusal(scopes, verdict, 50, WINDOW).status().value()).isEqualTo(429);
            }
        }
        filling.cancel(true);
        assertThat(refusals.get()).as("the filler left room for the probe only some of the time").isPositive();
    }

    private Scope key(Limits limits) {
        return Scope.key(tenant, UUID.randomUUID(), limits);
    }

    private void advance(Duration duration) {
        now.addAndGet(duration.toNanos());
    }

}
