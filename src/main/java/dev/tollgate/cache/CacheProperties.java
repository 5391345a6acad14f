package dev.tollgate.cache;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * The response cache ({@code tollgate.cache.*}).
 *
 * @param maxSize the most memory the cached answers of one instance take (their JSON's size)
 * @param maxEntrySize a larger answer is not cached
 * @param defaultTtl how long an answer is kept when the call asks for caching without saying how long
 * @param maxTtl the longest a call may ask for
 * @param redis whether the cache is kept in Redis when {@code spring.data.redis.url} is set, how long a lookup there
 *     may take before the call goes on without it, and how long after a failure Redis is tried again
 */
@ConfigurationProperties("tollgate.cache")
public record CacheProperties(@DefaultValue("64MB") DataSize maxSize, @DefaultValue("1MB") DataSize maxEntrySize,
        @DefaultValue("1h") Duration defaultTtl, @DefaultValue("24h") Duration maxTtl, @DefaultValue Redis redis) {

    public record Redis(@DefaultValue("true") boolean enabled, @DefaultValue("200ms") Duration timeout,
            @DefaultValue("2s") Duration retryInterval) {
    }

    public CacheProperties {
        if (defaultTtl.isNegative() || defaultTtl.isZero() || maxTtl.compareTo(defaultTtl) < 0) {
            throw new IllegalArgumentException(
                    "tollgate.cache.default-ttl must be positive and tollgate.cache.max-ttl at least as long");
        }
    }

}
