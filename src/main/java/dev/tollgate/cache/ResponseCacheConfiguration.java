package dev.tollgate.cache;

import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;
import org.springframework.data.redis.connection.ReactiveRedisConnectionFactory;
import tools.jackson.databind.json.JsonMapper;

import dev.tollgate.ratelimit.RedisConfiguredCondition;

/**
 * The response cache's Redis side, when {@code spring.data.redis.url} is set and {@code tollgate.cache.redis.enabled}
 * is not false: answers shared by every replica.
 */
@Configuration(proxyBeanMethods = false)
@Conditional(RedisConfiguredCondition.class)
@ConditionalOnBooleanProperty(name = "tollgate.cache.redis.enabled", matchIfMissing = true)
class ResponseCacheConfiguration {

    @Bean
    RedisSharedAnswers redisSharedAnswers(ReactiveRedisConnectionFactory connections, CacheProperties properties,
            JsonMapper json) {
        return new RedisSharedAnswers(connections, properties, json);
    }

}
