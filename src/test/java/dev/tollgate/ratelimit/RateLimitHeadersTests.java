package dev.tollgate.ratelimit;

import java.time.Duration;
import java.util.List;
import java.util.UUID;

import org.junit.jupiter.api.Test;
import org.springframework.http.HttpStatus;

import dev.tollgate.common.ApiException;

import static org.assertj.core.api.Assertions.assertThat;

class RateLimitHeadersTests {

    private static final Duration MINUTE = Duration.ofMinutes(1);

    private final UUID tenant = UUID.randomUUID();

    @Test
    void durationsAreWrittenAsOpenAiWritesThem() {
        assertThat(RateLimitHeaders.goDuration(Duration.ZERO)).isEqualTo("0s");
        assertThat(RateLimitHeaders.goDuration(Duration.ofNanos(1))).isEqualTo("1ms");
        assertThat(RateLimitHeaders.goDuration(Duration.ofMillis(20))).isEqualTo("20ms");
        assertThat(RateLimitHeaders.goDuration(Duration.ofMillis(1500))).isEqualTo("1.5s");
        assertThat(RateLimitHeaders.goDuration(Duration.ofSeconds(2))).isEqualTo("2s");
        assertThat(RateLimitHeaders.goDuration(Duration.ofMinutes(6))).isEqualTo("6m0s");
        assertThat(RateLimitHeaders.goDuration(Duration.ofMillis(90_250))).isEqualTo("1m30.25s");
        assertThat(RateLimitHeaders.goDuration(Duration.ofMillis(1_050))).isEqualTo("1.05s");
        assertThat(RateLimitHeaders.goDuration(Duration.ofMillis(1_005))).isEqualTo("1.005s");
        assertThat(RateLimitHeaders.goDuration(Duration.ofMillis(59_999))).isEqualTo("59.999s");
        assertThat(RateLimitHeaders.goDuration(Duration.ofSeconds(3723))).isEqualTo("1h2m3s");
    }

    @Test
    void anAdmittedRequestIsDescribedByTheScopeWithFewerRemaining() {
        Scope key = Scope.key(tenant, UUID.randomUUID(), new Limits(60, 0));
        Scope org = Scope.tenant(tenant, new Limits(1000, 10_000));
        Verdict verdict = new Verdict(true, List.of(new Levels(10, 0), new Levels(995.5, 2500)), null);

        var headers = RateLimitHeaders.of(List.of(key, org), verdict, 500, MINUTE);

        assertThat(headers).containsEntry("x-ratelimit-limit-requests", "1000")
            .containsEntry("x-ratelimit-remaining-requests", "4")
            .containsEntry("x-ratelimit-reset-requests", "59.73s")
            .containsEntry("x-ratelimit-limit-tokens", "10000")
            .containsEntry("x-ratelimit-remaining-tokens", "7500")
            .containsEntry("x-ratelimit-reset-tokens", "15s")
            .doesNotContainKey("Retry-After");
    }

    @Test
    void aRefusalNamesWhatRanOutAndWhenTheRequestWouldFit() {
        Scope key = Scope.key(tenant, UUID.randomUUID(), new Limits(60, 1000));
        Verdict verdict = new Verdict(false, List.of(new Levels(10, 900)), null);

        ApiException refusal = RateLimitHeaders.refusal(List.of(key), verdict, 400, MINUTE);

        assertThat(refusal.status()).isEqualTo(HttpStatus.TOO_MANY_REQUESTS);
        assertThat(refusal.type()).isEqualTo("tokens");
        assertThat(refusal.code()).isEqualTo("rate_limit_exceeded");
        assertThat(refusal.getMessage()).contains("tokens per minute (TPM) on this API key", "Limit 1000",
                "Remaining 100", "Requested 400", "try again in 18s");
        // 900 + 400 - 1000 = 300 tokens to drain at 1000 a minute: 18 s.
        assertThat(refusal.headers()).containsEntry("Retry-After", "18")
            .containsEntry("retry-after-ms", "18000")
            .containsEntry("x-ratelimit-remaining-tokens", "100")
            .containsEntry("x-ratelimit-remaining-requests", "50");
    }

    @Test
    void theRefusalWithTheLongestWaitIsTheOneReported() {
        Scope key = Scope.key(tenant, UUID.randomUUID(), new Limits(2, 0));
        Scope org = Scope.tenant(tenant, new Limits(4, 0));
        // The key waits for 0.5 of a request to drain at 2 a minute (15 s), the tenant for 1.5 at 4 a minute (22.5 s).
        Verdict verdict = new Verdict(false, List.of(new Levels(1.5, 0), new Levels(4.5, 0)), null);

        ApiException refusal = RateLimitHeaders.refusal(List.of(key, org), verdict, 0, MINUTE);

        assertThat(refusal.type()).isEqualTo("requests");
        assertThat(refusal.getMessage()).contains("on your organization");
        assertThat(refusal.headers()).containsEntry("Retry-After", "23")
            .containsEntry("x-ratelimit-limit-requests", "4");
    }

    /**
     * A request one limit can never take is told so, however long another limit would have it wait: waiting for that
     * one would only get it refused again.
     */
    @Test
    void aLimitNoWaitCanLiftOutranksALongerWait() {
        Scope key = Scope.key(tenant, UUID.randomUUID(), new Limits(0, 1000));
        Scope org = Scope.tenant(tenant, new Limits(0, 2000));
        // The key can never take 1,001 tokens; the tenant's bucket, 1,500 full, would take them in about 15 s.
        Verdict verdict = new Verdict(false, List.of(new Levels(0, 0), new Levels(0, 1500)), null);

        ApiException acrossScopes = RateLimitHeaders.refusal(List.of(key, org), verdict, 1001, MINUTE);

        assertThat(acrossScopes.getMessage()).startsWith("Request too large").contains("Limit 1000");
        assertThat(acrossScopes.headers()).doesNotContainKey("Retry-After")
            .containsEntry("x-ratelimit-limit-tokens", "1000");

        // One scope, the request count full as well: the tokens can never fit, whatever a minute's wait frees.
        Scope both = Scope.key(tenant, UUID.randomUUID(), new Limits(1, 1000));
        ApiException acrossKinds = RateLimitHeaders.refusal(List.of(both),
                new Verdict(false, List.of(new Levels(1, 0)), null), 1001, MINUTE);

        assertThat(acrossKinds.type()).isEqualTo("tokens");
        assertThat(acrossKinds.getMessage()).startsWith("Request too large");
        assertThat(acrossKinds.headers()).doesNotContainKey("Retry-After");
    }

    @Test
    void aRequestLargerThanAWholeWindowIsToldSoWithoutARetryAfter() {
        Scope key = Scope.key(tenant, UUID.randomUUID(), new Limits(0, 1000));
        Verdict verdict = new Verdict(false, List.of(new Levels(0, 0)), null);

        ApiException refusal = RateLimitHeaders.refusal(List.of(key), verdict, 4000, MINUTE);

        assertThat(refusal.type()).isEqualTo("tokens");
        assertThat(refusal.getMessage()).startsWith("Request too large").contains("Limit 1000", "Requested 4000");
        assertThat(refusal.headers()).doesNotContainKey("Retry-After")
            .containsEntry("x-ratelimit-remaining-tokens", "1000");
    }

}
