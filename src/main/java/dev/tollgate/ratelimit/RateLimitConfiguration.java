package dev.tollgate.ratelimit;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.resource.Delay;
import org.springframework.boot.data.redis.autoconfigure.ClientResourcesBuilderCustomizer;
import org.springframework.boot.data.redis.autoconfigure.LettuceClientOptionsBuilderCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;
import org.springframework.data.redis.connection.ReactiveRedisConnectionFactory;

/**
 * The limiter: this instance's memory, and Redis in front of it when {@code spring.data.redis.url} is set.
 */
@Configuration(proxyBeanMethods = false)
class RateLimitConfiguration {

    @Bean
    LocalRateLimiter localRateLimiter(RateLimitProperties properties) {
        return new LocalRateLimiter(properties.window(), System::nanoTime);
    }

    @Configuration(proxyBeanMethods = false)
    @Conditional(RedisConfiguredCondition.class)
    static class RedisRateLimitConfiguration {

        @Bean
        RedisRateLimiter redisRateLimiter(ReactiveRedisConnectionFactory connections, LocalRateLimiter local,
                RateLimitProperties properties) {
            return new RedisRateLimiter(connections, local, properties, System::nanoTime);
        }

        /**
         * While the connection is down, commands fail at once instead of queueing for the reconnect, so that a rate
         * limit check falls back to this instance without waiting for its timeout.
         */
        @Bean
        LettuceClientOptionsBuilderCustomizer failFastWhileDisconnected() {
            return options -> options.disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS);
        }

        /**
         * Lettuce reconnects with a backoff that grows to 30 s by default; capped at the retry interval, limits are
         * shared again soon after Redis is back.
         */
        @Bean
        ClientResourcesBuilderCustomizer reconnectPromptly(RateLimitProperties properties) {
            Duration cap = properties.redis().retryInterval();
            return resources -> resources.reconnectDelay(Delay.exponential(Duration.ofMillis(50), cap, 2,
                    TimeUnit.MILLISECONDS));
        }

    }

}
