package dev.tollgate.routing;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class ProviderHealthTests {

    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();

    private final ProviderHealth health = new ProviderHealth(new RoutingProperties(2, Duration.ofMillis(200),
            Duration.ofSeconds(2), Duration.ofSeconds(10),
            new RoutingProperties.Breaker(true, 50, 4, 2, Duration.ofSeconds(30), 1)), meters);

    @Test
    void aProvidersBreakerIsTheRegistrysOneEveryTime() {
        CircuitBreaker openai = health.breaker("openai");

        assertThat(health.breaker("openai")).isSameAs(openai).isSameAs(health.breakers().circuitBreaker("openai"));
        assertThat(health.breaker("anthropic")).isNotSameAs(openai).hasFieldOrPropertyWithValue("name", "anthropic");
    }

    @Test
    void failuresRecordedOnTheBreakerOpenItForRankingAndItsGauge() {
        CircuitBreaker breaker = health.breaker("openai");
        assertThat(health.rank("openai")).isZero();

        breaker.onError(1, TimeUnit.MILLISECONDS, new IllegalStateException("down"));
        health.breaker("openai").onError(1, TimeUnit.MILLISECONDS,
                new IllegalStateException("down"));

        assertThat(health.rank("openai")).isEqualTo(1);
        assertThat(meters.get("tollgate.provider.breaker.state").tags("provider", "openai", "state", "open").gauge()
            .value()).isEqualTo(1);
        assertThat(health.rank("anthropic")).isZero();
    }

    @Test
    void slowAnswersThatSucceedNeverOpenTheBreaker() {
        // A reasoning model's whole answer can take minutes; resilience4j would count a call over 60 s as slow and
        // open the breaker when every call is, which would take a healthy provider out of service.
        CircuitBreaker breaker = health.breaker("openai");
        for (int call = 0; call < 4; call++) {
            assertThat(breaker.tryAcquirePermission()).isTrue();
            breaker.onSuccess(10, TimeUnit.MINUTES);
        }

        assertThat(breaker.getState()).isEqualTo(CircuitBreaker.State.CLOSED);
        assertThat(health.rank("openai")).isZero();
    }

    @Test
    void disabledBreakersStayOutOfTheWay() {
        ProviderHealth disabled = new ProviderHealth(new RoutingProperties(2, Duration.ofMillis(200),
                Duration.ofSeconds(2), Duration.ofSeconds(10),
                new RoutingProperties.Breaker(false, 50, 4, 2, Duration.ofSeconds(30), 1)), meters);

        assertThat(disabled.breaker("openai").getState()).isEqualTo(CircuitBreaker.State.DISABLED);
        assertThat(disabled.breaker("openai").tryAcquirePermission()).isTrue();
    }

    @Test
    void outputSpeedIsAMovingAverageOfTokensOverGenerationTime() {
        assertThat(health.tokensPerSecond("openai")).isNaN();

        health.generated("openai", 0, Duration.ofMillis(100));
        health.generated("openai", 50, Duration.ZERO);
        assertThat(health.tokensPerSecond("openai")).as("nothing to measure yet").isNaN();

        health.generated("openai", 50, Duration.ofMillis(500));
        assertThat(health.tokensPerSecond("openai")).isEqualTo(100.0);
        // Under a millisecond still counts: a fast provider's short answer.
        health.generated("openai", 3, Duration.ofNanos(600_000));
        assertThat(health.tokensPerSecond("openai")).isEqualTo(100.0 + 0.2 * (5_000.0 - 100.0));
        assertThat(health.latencyMillis("openai")).as("speed is not latency").isNaN();
    }

}
