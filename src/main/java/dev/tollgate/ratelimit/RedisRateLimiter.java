package dev.tollgate.ratelimit;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongSupplier;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.data.redis.connection.ReactiveRedisConnection;
import org.springframework.data.redis.connection.ReactiveRedisConnectionFactory;
import org.springframework.data.redis.connection.ReturnType;
import org.springframework.data.redis.core.script.RedisScript;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import dev.tollgate.common.RedisLink;

/**
 * Rate limits shared by every replica: each check is one Lua script in Redis that reads, decides and writes all the
 * request's scopes atomically, on Redis's own clock, so replicas agree however their clocks drift. The arithmetic is
 * {@link BucketState}'s.
 * <p>
 * Redis is never allowed to fail a request. While it is unreachable (refused, timed out, disconnected) the
 * {@link LocalRateLimiter} decides on this instance alone, a warning is logged once for the outage, and one request
 * per {@code tollgate.ratelimit.redis.retry-interval} tries Redis again, so the limits become shared again by
 * themselves when it is back.
 * <p>
 * The connection and the outages are a {@link RedisLink}'s.
 */
final class RedisRateLimiter implements RateLimiter, SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(RedisRateLimiter.class);

    /**
     * KEYS: one hash per scope (fields at, r, t). ARGV: the window in microseconds, the request's tokens, then each
     * scope's request and token limits (0: none). Counts one request and its tokens in every scope if they fit in
     * all of them, else in none. Returns 1 or 0, then each scope's request and token levels (after counting when
     * counted, as found when not) as strings, since Redis would truncate Lua numbers to integers.
     */
    private static final String TAKE = """
            local time = redis.call('TIME')
            local now = tonumber(time[1]) * 1000000 + tonumber(time[2])
            local window = tonumber(ARGV[1])
            local costs = { 1, tonumber(ARGV[2]) }
            local levels = {}
            local fits = true
            for i, key in ipairs(KEYS) do
              local state = redis.call('HMGET', key, 'at', 'r', 't')
              local elapsed = math.max(0, now - (tonumber(state[1]) or now))
              levels[i] = {}
              for j = 1, 2 do
                local limit = tonumber(ARGV[2 * i + j])
                local level = 0
                if limit > 0 then
                  level = math.max(0, (tonumber(state[j + 1]) or 0) - elapsed * limit / window)
                  if level + costs[j] > limit + 1e-9 then fits = false end
                end
                levels[i][j] = level
              end
            end
            local result = { fits and 1 or 0 }
            for i, key in ipairs(KEYS) do
              local drain = 0
              for j = 1, 2 do
                local limit = tonumber(ARGV[2 * i + j])
                if fits and limit > 0 then
                  levels[i][j] = levels[i][j] + costs[j]
                  drain = math.max(drain, levels[i][j] * window / limit)
                end
                result[#result + 1] = string.format('%.17g', levels[i][j])
              end
              if fits then
                redis.call('HSET', key, 'at', string.format('%.17g', now),
                  'r', string.format('%.17g', levels[i][1]), 't', string.format('%.17g', levels[i][2]))
                redis.call('PEXPIRE', key, math.ceil(drain / 1000) + 1)
              end
            end
            return result
            """;

    /**
     * KEYS and ARGV as for {@link #TAKE}, with a signed token delta in place of the request's tokens. Adds the delta
     * to each scope's token level (never below zero) after draining both levels to now.
     */
    private static final String ADJUST = """
            local time = redis.call('TIME')
            local now = tonumber(time[1]) * 1000000 + tonumber(time[2])
            local window = tonumber(ARGV[1])
            local delta = tonumber(ARGV[2])
            for i, key in ipairs(KEYS) do
              local state = redis.call('HMGET', key, 'at', 'r', 't')
              if state[1] or delta > 0 then
                local elapsed = math.max(0, now - (tonumber(state[1]) or now))
                local levels = {}
                local drain = 0
                for j = 1, 2 do
                  local limit = tonumber(ARGV[2 * i + j])
                  local level = 0
                  if limit > 0 then
                    level = math.max(0, (tonumber(state[j + 1]) or 0) - elapsed * limit / window)
                    if j == 2 then level = math.max(0, level + delta) end
                    drain = math.max(drain, level * window / limit)
                  end
                  levels[j] = level
                end
                redis.call('HSET', key, 'at', string.format('%.17g', now),
                  'r', string.format('%.17g', levels[1]), 't', string.format('%.17g', levels[2]))
                redis.call('PEXPIRE', key, math.ceil(drain / 1000) + 1)
              end
            end
            return 1
            """;

    private static final String KEY_PREFIX = "tollgate:ratelimit:";

    private final LocalRateLimiter local;
    private final long windowMicros;
    private final RedisLink link;
    private final String takeSha = RedisScript.of(TAKE).getSha1();
    private final String adjustSha = RedisScript.of(ADJUST).getSha1();
    private volatile boolean running;

    RedisRateLimiter(ReactiveRedisConnectionFactory connections, LocalRateLimiter local,
            RateLimitProperties properties, LongSupplier nanoClock) {
        this.local = local;
        this.windowMicros = properties.window().toNanos() / 1000;
        this.link = new RedisLink(connections, properties.redis().timeout(), properties.redis().retryInterval(),
                nanoClock, log, new RedisLink.Messages("Rate limits are shared by all replicas through Redis",
                        "Redis is unreachable ({}): each instance enforces rate limits on its own until it is back",
                        "Redis is reachable again: rate limits are shared by all replicas again"));
    }

    @Override
    public Mono<Verdict> take(List<Scope> scopes, long tokens) {
        ReactiveRedisConnection redis = link.usableConnection();
        if (redis == null) {
            return local.take(scopes, tokens);
        }
        return run(redis, takeSha, TAKE, scopes, tokens)
            .map(result -> verdict(result, scopes.size()))
            .timeout(link.timeout())
            .doOnNext(verdict -> link.reachable())
            .onErrorResume(error -> {
                link.unreachable(error);
                return local.take(scopes, tokens);
            });
    }

    @Override
    public void adjustTokens(List<Scope> scopes, long delta) {
        ReactiveRedisConnection redis = link.usableConnection();
        if (redis == null) {
            // A correction lost to an outage leaves admission's estimate in place, nothing worse.
            return;
        }
        run(redis, adjustSha, ADJUST, scopes, delta).timeout(link.timeout())
            .subscribe(done -> link.reachable(), link::unreachable);
    }

    /** Whether limits are being shared through Redis right now (not during an outage, nor before connecting). */
    boolean shared() {
        return link.shared();
    }

    @Override
    public void start() {
        running = true;
        link.connectInBackground();
    }

    @Override
    public void stop() {
        running = false;
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    private Mono<List<Object>> run(ReactiveRedisConnection redis, String sha, String script, List<Scope> scopes,
            long tokens) {
        return Flux.defer(() -> redis.scriptingCommands()
                .<Object>evalSha(sha, ReturnType.MULTI, scopes.size(), keysAndArgs(scopes, tokens)))
            .onErrorResume(RedisRateLimiter::isNoScript, error -> redis.scriptingCommands()
                .eval(RedisLink.utf8(script), ReturnType.MULTI, scopes.size(), keysAndArgs(scopes, tokens)))
            // Lettuce emits a multi-bulk reply as one list.
            .concatMapIterable(reply -> reply instanceof List<?> items ? items : List.of(reply))
            .collectList();
    }

    private ByteBuffer[] keysAndArgs(List<Scope> scopes, long tokens) {
        List<ByteBuffer> buffers = new ArrayList<>(3 * scopes.size() + 2);
        for (Scope scope : scopes) {
            buffers.add(RedisLink.utf8(KEY_PREFIX + scope.id()));
        }
        buffers.add(RedisLink.utf8(Long.toString(windowMicros)));
        buffers.add(RedisLink.utf8(Long.toString(tokens)));
        for (Scope scope : scopes) {
            buffers.add(RedisLink.utf8(Long.toString(scope.limits().requests())));
            buffers.add(RedisLink.utf8(Long.toString(scope.limits().tokens())));
        }
        return buffers.toArray(ByteBuffer[]::new);
    }

    private Verdict verdict(List<Object> result, int scopes) {
        if (result.size() != 1 + 2 * scopes) {
            throw new IllegalStateException("Unexpected rate-limit script result of " + result.size() + " items");
        }
        List<Levels> levels = new ArrayList<>(scopes);
        for (int i = 0; i < scopes; i++) {
            levels.add(new Levels(number(result.get(1 + 2 * i)), number(result.get(2 + 2 * i))));
        }
        return new Verdict(((Number) result.get(0)).longValue() == 1, levels, this);
    }

    private static double number(Object value) {
        if (value instanceof ByteBuffer buffer) {
            return Double.parseDouble(StandardCharsets.US_ASCII.decode(buffer).toString());
        }
        return ((Number) value).doubleValue();
    }

    private static boolean isNoScript(Throwable error) {
        for (Throwable cause = error; cause != null; cause = cause.getCause()) {
            if (cause.getMessage() != null && cause.getMessage().contains("NOSCRIPT")) {
                return true;
            }
        }
        return false;
    }

}
