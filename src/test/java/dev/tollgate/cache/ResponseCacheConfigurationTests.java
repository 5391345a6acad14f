package dev.tollgate.cache;

import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.data.redis.connection.ReactiveRedisConnectionFactory;
import org.springframework.util.unit.DataSize;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.Mockito.mock;

/** The operator's switch that keeps cached answers out of a Redis the rate limits still use. */
class ResponseCacheConfigurationTests {

    final ApplicationContextRunner context = new ApplicationContextRunner()
        .withUserConfiguration(ResponseCacheConfiguration.class)
        .withBean(ReactiveRedisConnectionFactory.class, () -> mock(ReactiveRedisConnectionFactory.class))
        .withBean(CacheProperties.class, () -> new CacheProperties(DataSize.ofMegabytes(64),
                DataSize.ofMegabytes(1), Duration.ofHours(1), Duration.ofHours(24),
                new CacheProperties.Redis(true, Duration.ofMillis(200), Duration.ofSeconds(2))))
        .withBean(JsonMapper.class, () -> JsonMapper.builder().build());

    @Test
    void withRedisConfiguredTheCacheIsSharedThroughIt() {
        context.withPropertyValues("spring.data.redis.url=redis://127.0.0.1:6379")
            .run(started -> assertThat(started).hasSingleBean(RedisSharedAnswers.class));
    }

    @Test
    void theOperatorCanKeepTheCacheOutOfRedis() {
        context.withPropertyValues("spring.data.redis.url=redis://127.0.0.1:6379", "tollgate.cache.redis.enabled=false")
            .run(started -> assertThat(started).doesNotHaveBean(RedisSharedAnswers.class));
    }

    @Test
    void withoutRedisEachInstanceKeepsItsOwn() {
        context.run(started -> assertThat(started).doesNotHaveBean(RedisSharedAnswers.class));
    }

}
