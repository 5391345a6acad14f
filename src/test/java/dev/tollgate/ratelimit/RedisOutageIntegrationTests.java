package dev.tollgate.ratelimit;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;

import dev.tollgate.testsupport.DashboardUser;
import dev.tollgate.testsupport.FakeUpstream;
import dev.tollgate.testsupport.IntegrationTest;
import dev.tollgate.testsupport.SecondInstance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Redis is optional and never fails a request: an instance without a Redis URL never touches Redis and limits on its
 * own; an instance whose Redis goes away keeps serving with limits of its own, says so once, and shares limits again
 * by itself when Redis is back. The outage is a relay in front of the real Redis, cut and restored.
 */
@IntegrationTest
@ExtendWith(OutputCaptureExtension.class)
class RedisOutageIntegrationTests {

    private static final String WARNING = "Redis is unreachable";

    @Autowired
    WebTestClient client;

    @Autowired
    RateLimitService rateLimits;

    @LocalServerPort
    int port;

    DashboardUser user;

    @BeforeEach
    void setUp() {
        FakeUpstream.shared().reset();
        user = DashboardUser.signUp(client);
    }

    @Test
    void anOutageFallsBackToLimitsPerInstanceWithOneWarningAndSharingResumesWhenRedisIsBack(CapturedOutput output)
            throws Exception {
        try (RedisTcpProxy redis = RedisTcpProxy.to(6379);
                SecondInstance second = SecondInstance.start(Map.of("spring.data.redis.url",
                        "redis://127.0.0.1:" + redis.port()))) {
            RateLimitService secondLimits = second.bean(RateLimitService.class);
            await().atMost(Duration.ofSeconds(10)).until(secondLimits::sharedAcrossReplicas);
            WebTestClient main = client;
            WebTestClient other = WebTestClient.bindToServer().baseUrl(second.baseUrl()).build();
            assertSharedBetween(main, other);

            redis.cut();
            String key = keyWithRequestsPerMinute(3);
            List<Integer> statuses = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                statuses.add(status(other, key));
            }

            assertThat(statuses).as("served, with the key's limit held by the instance alone")
                .containsExactly(200, 200, 200, 429, 429, 429, 429, 429);
            assertThat(secondLimits.sharedAcrossReplicas()).isFalse();
            assertThat(occurrences(output, WARNING)).as("one warning for the outage, not one per request").isEqualTo(1);
            assertThat(rateLimits.sharedAcrossReplicas()).as("the other instance's Redis is fine").isTrue();
            // The response cache goes on with this instance's memory alone.
            String unlimited = user.createKey("cached");
            assertThat(cached(other, unlimited)).isEqualTo("miss");
            assertThat(cached(other, unlimited)).isEqualTo("hit");
            assertThat(occurrences(output, "The response cache cannot reach Redis")).isLessThanOrEqualTo(1);

            redis.restore();
            String roomy = keyWithRequestsPerMinute(1000);
            await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100)).until(() -> {
                assertThat(status(other, roomy)).isEqualTo(200);
                return secondLimits.sharedAcrossReplicas();
            });
            assertThat(output.getOut()).contains("Redis is reachable again");
            assertSharedBetween(main, other);
            assertThat(occurrences(output, WARNING)).isEqualTo(1);
        }
    }

    @Test
    void withoutARedisUrlNothingConnectsToRedisAndLimitsHoldOnTheInstance() {
        try (SecondInstance alone = SecondInstance.start(Map.of("spring.data.redis.url", "",
                "tollgate.ratelimit.default-plan", "test-small"))) {
            List<String> redisBeans = Arrays.stream(alone.context().getBeanDefinitionNames())
                .filter(name -> name.toLowerCase(Locale.ROOT).matches(".*(redis|lettuce).*"))
                .toList();
            assertThat(redisBeans).as("no connection factory, template, health indicator or limiter").isEmpty();
            assertThat(alone.bean(RateLimitService.class).sharedAcrossReplicas()).isFalse();

            WebTestClient web = WebTestClient.bindToServer().baseUrl(alone.baseUrl()).build();
            String key = DashboardUser.signUp(web).createKey("default plan");
            List<Integer> statuses = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                statuses.add(status(web, key));
            }

            assertThat(statuses).as("the default plan, 4 a window, held in memory").containsExactly(200, 200, 200,
                    200, 429);
        }
    }

    /** What the response cache did for a call that asked for it; the call must succeed. */
    private static String cached(WebTestClient web, String key) {
        return web.post().uri("/v1/chat/completions")
            .header("Authorization", "Bearer " + key)
            .header("x-tollgate-cache", "true")
            .contentType(MediaType.APPLICATION_JSON)
            .bodyValue(Map.of("model", "openai/gpt-4o-mini", "messages", List.of(Map.of("role", "user",
                    "content", "Cached while Redis is away"))))
            .exchange()
            .expectStatus().isOk()
            .returnResult(byte[].class)
            .getResponseHeaders()
            .getFirst("x-tollgate-cache");
    }

    /** A key limited to 3 a window: 3 calls on one instance leave no room on the other. */
    private void assertSharedBetween(WebTestClient first, WebTestClient second) {
        String key = keyWithRequestsPerMinute(3);
        for (int i = 0; i < 3; i++) {
            assertThat(status(first, key)).isEqualTo(200);
        }
        assertThat(status(second, key)).isEqualTo(429);
    }

    private String keyWithRequestsPerMinute(int limit) {
        return user.createKeyJson(Map.of("name", "limited", "rateLimit", Map.of("requestsPerMinute", limit)))
            .path("key").stringValue();
    }

    private static int status(WebTestClient web, String key) {
        return web.post().uri("/v1/chat/completions")
            .header("Authorization", "Bearer " + key)
            .contentType(MediaType.APPLICATION_JSON)
            .bodyValue(Map.of("model", "openai/gpt-4o-mini", "messages", List.of(Map.of("role", "user",
                    "content", "Hi"))))
            .exchange()
            .returnResult(byte[].class)
            .getStatus()
            .value();
    }

    private static int occurrences(CapturedOutput output, String text) {
        return output.getOut().split(java.util.regex.Pattern.quote(text), -1).length - 1;
    }

}
