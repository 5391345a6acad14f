package dev.tollgate.ratelimit;

import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import reactor.core.publisher.Flux;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

/**
 * The Lua script against the real Redis (127.0.0.1:6379), without Spring: the same arithmetic as the local limiter,
 * all or nothing across scopes, atomic across "replicas" (two clients), and a fallback to local limits when Redis
 * cannot be reached.
 */
@ExtendWith(OutputCaptureExtension.class)
class RedisRateLimiterTests {

    private static final Duration DAY = Duration.ofDays(1);

    private final List<LettuceConnectionFactory> factories = new ArrayList<>();

    private final UUID tenant = UUID.randomUUID();

    @AfterEach
    void close() {
        factories.forEach(LettuceConnectionFactory::destroy);
    }

    @Test
    void aScopeBurstsToItsLimitAndIsThenRefusedWithItsLevels() {
        RedisRateLimiter limiter = connected(6379, DAY);
        List<Scope> scopes = List.of(key(new Limits(3, 1000)));

        List<Verdict> verdicts = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            verdicts.add(limiter.take(scopes, 100).block(Duration.ofSeconds(5)));
        }

        assertThat(verdicts).extracting(Verdict::allowed).containsExactly(true, true, true, false);
        // A day's window drains by a hair between calls.
        assertThat(verdicts.get(2).levels().get(0).requests()).isCloseTo(3, within(1e-3));
        assertThat(verdicts.get(2).levels().get(0).tokens()).isCloseTo(300, within(1e-3));
        assertThat(verdicts.get(3).levels().get(0).requests()).as("as found, nothing counted")
            .isCloseTo(3, within(1e-3));
        assertThat(verdicts.get(3).countedBy()).isSameAs(limiter);
    }

    @Test
    void levelsDrainAtTheLimitPerWindow() {
        RedisRateLimiter limiter = connected(6379, Duration.ofSeconds(1));
        List<Scope> scopes = List.of(key(new Limits(2, 0)));
        limiter.take(scopes, 0).block(Duration.ofSeconds(5));
        limiter.take(scopes, 0).block(Duration.ofSeconds(5));
        assertThat(limiter.take(scopes, 0).block(Duration.ofSeconds(5)).allowed()).isFalse();

        // Two a second: one request's room comes back within half a second.
        await().atMost(Duration.ofSeconds(3))
            .until(() -> limiter.take(scopes, 0).block(Duration.ofSeconds(5)).allowed());
    }

    @Test
    void aRequestRefusedByOneScopeIsCountedInNone() {
        RedisRateLimiter limiter = connected(6379, DAY);
        Scope key = key(new Limits(10, 0));
        Scope tenantScope = Scope.tenant(tenant, new Limits(0, 1000));
        assertThat(limiter.take(List.of(key, tenantScope), 800).block(Duration.ofSeconds(5)).allowed()).isTrue();

        Verdict refused = limiter.take(List.of(key, tenantScope), 800).block(Duration.ofSeconds(5));

        assertThat(refused.allowed()).isFalse();
        assertThat(refused.levels().get(0).requests()).isCloseTo(1, within(1e-3));
        assertThat(refused.levels().get(1).tokens()).isCloseTo(800, within(1e-3));
        assertThat(limiter.take(List.of(key), 0).block(Duration.ofSeconds(5)).levels().get(0).requests())
            .isCloseTo(2, within(1e-3));
    }

    @Test
    void tokenCorrectionsReachRedis() {
        RedisRateLimiter limiter = connected(6379, DAY);
        List<Scope> scopes = List.of(key(new Limits(0, 1000)));
        limiter.take(scopes, 900).block(Duration.ofSeconds(5));

        limiter.adjustTokens(scopes, -850);

        await().atMost(Duration.ofSeconds(5))
            .until(() -> limiter.take(scopes, 900).block(Duration.ofSeconds(5)).allowed());
    }

    @Test
    void twoInstancesSharingRedisAdmitExactlyTheLimitBetweenThem() {
        RedisRateLimiter first = connected(6379, DAY);
        RedisRateLimiter second = connected(6379, DAY);
        List<Scope> scopes = List.of(key(new Limits(50, 0)), Scope.tenant(tenant, new Limits(0, 1_000_000)));

        long allowed = Flux.range(0, 400)
            .flatMap(i -> (i % 2 == 0 ? first : second).take(scopes, 10), 64)
            .filter(Verdict::allowed)
            .count()
            .block(Duration.ofSeconds(30));

        assertThat(allowed).isEqualTo(50);
        assertThat(first.shared()).isTrue();
        assertThat(second.shared()).isTrue();
    }

    @Test
    void withoutRedisTheInstanceDecidesAloneAndWarnsOnce(CapturedOutput output) throws IOException {
        RedisRateLimiter limiter = limiter(closedPort(), DAY);
        limiter.start();
        await().atMost(Duration.ofSeconds(10)).until(() -> output.getOut().contains("Redis is unreachable"));
        List<Scope> scopes = List.of(key(new Limits(3, 0)));

        List<Boolean> allowed = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            Verdict verdict = limiter.take(scopes, 0).block(Duration.ofSeconds(5));
            allowed.add(verdict.allowed());
            assertThat(verdict.countedBy()).isNotSameAs(limiter);
        }

        assertThat(allowed).containsExactly(true, true, true, false, false);
        assertThat(limiter.shared()).isFalse();
        assertThat(output.getOut().split("Redis is unreachable", -1)).hasSize(2);
    }

    private RedisRateLimiter connected(int port, Duration window) {
        RedisRateLimiter limiter = limiter(port, window);
        limiter.start();
        await().atMost(Duration.ofSeconds(10)).until(limiter::shared);
        return limiter;
    }

    private RedisRateLimiter limiter(int port, Duration window) {
        LettuceConnectionFactory factory = new LettuceConnectionFactory(new RedisStandaloneConfiguration("127.0.0.1",
                port));
        factory.afterPropertiesSet();
        factory.start();
        factories.add(factory);
        RateLimitProperties properties = new RateLimitProperties(window, null, Map.of(), Duration.ofSeconds(10),
                new RateLimitProperties.Redis(Duration.ofSeconds(2), Duration.ofMillis(100)));
        return new RedisRateLimiter(factory, new LocalRateLimiter(window, System::nanoTime), properties,
                System::nanoTime);
    }

    private Scope key(Limits limits) {
        return Scope.key(tenant, UUID.randomUUID(), limits);
    }

    private static int closedPort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

}
