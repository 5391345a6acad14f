package dev.tollgate.routing;

import java.time.Duration;
import java.util.concurrent.TimeoutException;

import org.junit.jupiter.api.Test;
import org.springframework.http.HttpStatus;

import dev.tollgate.common.ApiException;
import dev.tollgate.provider.UpstreamException;
import dev.tollgate.routing.RetryPolicy.Decision.Kind;

import static org.assertj.core.api.Assertions.assertThat;

class RetryPolicyTests {

    final RetryPolicy policy = new RetryPolicy(new RoutingProperties(3, Duration.ofMillis(100), Duration.ofSeconds(1),
            Duration.ofSeconds(10), new RoutingProperties.Breaker(true, 50, 20, 5, Duration.ofSeconds(30), 3)));

    @Test
    void aBadRequestIsNeverRetriedButMayGoToTheNextModel() {
        assertThat(policy.decide(UpstreamException.fromStatus("p", 400, "bad", null), 1).kind())
            .isEqualTo(Kind.NEXT_MODEL);
        assertThat(policy.decide(UpstreamException.fromStatus("p", 422, "bad", null), 1).kind())
            .isEqualTo(Kind.NEXT_MODEL);
    }

    @Test
    void serverErrorsAndLostConnectionsAreRetriedWithGrowingJitteredBackoffThenMoveOn() {
        UpstreamException failure = UpstreamException.fromStatus("p", 502, "bad gateway", null);

        RetryPolicy.Decision first = policy.decide(failure, 1);
        RetryPolicy.Decision second = policy.decide(failure, 2);

        assertThat(first.kind()).isEqualTo(Kind.RETRY);
        assertThat(first.delay()).isBetween(Duration.ofMillis(50), Duration.ofMillis(100));
        assertThat(second.delay()).isBetween(Duration.ofMillis(100), Duration.ofMillis(200));
        assertThat(policy.decide(failure, 3).kind()).isEqualTo(Kind.NEXT_ROUTE);
        assertThat(policy.decide(UpstreamException.connectionFailed("p", new java.net.ConnectException()), 1).kind())
            .isEqualTo(Kind.RETRY);
    }

    @Test
    void aRouteThatLetItsTimeoutPassIsNotAskedAgain() {
        assertThat(policy.decide(UpstreamException.timedOut("p", "did not answer"), 1).kind())
            .isEqualTo(Kind.NEXT_ROUTE);
        // A provider that answers 408 has let the request go: it may be retried.
        assertThat(policy.decide(UpstreamException.fromStatus("p", 408, "request timeout", null), 1).kind())
            .isEqualTo(Kind.RETRY);
    }

    @Test
    void aShortRetryAfterIsHonouredAndALongOneMovesOn() {
        RetryPolicy.Decision shortWait = policy.decide(
                UpstreamException.fromStatus("p", 429, "slow down", Duration.ofSeconds(3)), 1);
        RetryPolicy.Decision longWait = policy.decide(
                UpstreamException.fromStatus("p", 429, "quota", Duration.ofSeconds(60)), 1);

        assertThat(shortWait.kind()).isEqualTo(Kind.RETRY);
        assertThat(shortWait.delay()).isEqualTo(Duration.ofSeconds(3));
        assertThat(longWait.kind()).isEqualTo(Kind.NEXT_ROUTE);
    }

    @Test
    void tollgatesOwnCredentialsOrConfigurationProblemsMoveToAnotherRoute() {
        assertThat(policy.decide(UpstreamException.fromStatus("p", 401, "bad key", null), 1).kind())
            .isEqualTo(Kind.NEXT_ROUTE);
        // Gemini says a key is invalid with a 400, which its adapter answers as Tollgate's own 502.
        assertThat(policy.decide(new UpstreamException(HttpStatus.BAD_GATEWAY, "upstream_auth_failed", "bad key", 400,
                false, null, null), 1).kind()).isEqualTo(Kind.NEXT_ROUTE);
        assertThat(policy.decide(ApiException.noProvider("not configured"), 1).kind()).isEqualTo(Kind.NEXT_ROUTE);
        assertThat(policy.decide(new TimeoutException(), 1).kind()).isEqualTo(Kind.GIVE_UP);
    }

    @Test
    void onlyFailuresOfTheProviderCountAgainstItsBreaker() {
        assertThat(RetryPolicy.isProviderFault(UpstreamException.fromStatus("p", 500, "x", null))).isTrue();
        assertThat(RetryPolicy.isProviderFault(UpstreamException.timedOut("p", "x"))).isTrue();
        assertThat(RetryPolicy.isProviderFault(UpstreamException.fromStatus("p", 429, "x", null))).isFalse();
        assertThat(RetryPolicy.isProviderFault(UpstreamException.fromStatus("p", 400, "x", null))).isFalse();
    }

}
