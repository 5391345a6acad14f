package dev.tollgate.common;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongSupplier;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.springframework.core.NestedExceptionUtils;
import org.springframework.data.redis.connection.ReactiveRedisConnection;
import org.springframework.data.redis.connection.ReactiveRedisConnectionFactory;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * One feature's use of Redis, which must never fail a request: the connection (taken once, off the event loops:
 * Spring Data Redis opens its shared connection synchronously and guards every {@code getReactiveConnection()} with
 * one factory-wide lock), and whether Redis is usable right now. After a failure the feature does without Redis,
 * says so once, and lets one request per retry interval try it again, so that it is used again by itself when it is
 * back; Lettuce reconnects the connection by itself.
 */
public final class RedisLink {

    /** What the feature logs when Redis becomes usable, stops being usable, and is usable again. */
    public record Messages(String shared, String down, String back) {
    }

    private final ReactiveRedisConnectionFactory connections;
    private final Duration timeout;
    private final long retryIntervalNanos;
    private final LongSupplier nanoClock;
    private final Logger log;
    private final Messages messages;
    private final AtomicReference<Mode> mode = new AtomicReference<>(Mode.CONNECTING);
    private final AtomicLong nextAttemptAt;
    private final AtomicBoolean connecting = new AtomicBoolean();
    private volatile @Nullable ReactiveRedisConnection connection;

    public RedisLink(ReactiveRedisConnectionFactory connections, Duration timeout, Duration retryInterval,
            LongSupplier nanoClock, Logger log, Messages messages) {
        this.connections = connections;
        this.timeout = timeout;
        this.retryIntervalNanos = retryInterval.toNanos();
        this.nanoClock = nanoClock;
        this.log = log;
        this.messages = messages;
        this.nextAttemptAt = new AtomicLong(nanoClock.getAsLong() + retryIntervalNanos);
    }

    /** A Redis key or argument: the text's UTF-8 bytes. */
    public static ByteBuffer utf8(String text) {
        return ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
    }

    /** How long one command may take before Redis counts as unreachable. */
    public Duration timeout() {
        return timeout;
    }

    /** Whether Redis is being used right now (not during an outage, nor before connecting). */
    public boolean shared() {
        return mode.get() == Mode.SHARED;
    }

    /** The connection for this request, or null to do without Redis (not connected, or in an outage between tries). */
    public @Nullable ReactiveRedisConnection usableConnection() {
        ReactiveRedisConnection redis = connection;
        if (redis != null && mode.get() == Mode.SHARED) {
            return redis;
        }
        long now = nanoClock.getAsLong();
        long next = nextAttemptAt.get();
        if (now - next < 0 || !nextAttemptAt.compareAndSet(next, now + retryIntervalNanos)) {
            return null;
        }
        if (redis == null) {
            connectInBackground();
        }
        return redis;
    }

    public void connectInBackground() {
        if (!connecting.compareAndSet(false, true)) {
            return;
        }
        Mono.fromCallable(connections::getReactiveConnection)
            .flatMap(redis -> redis.ping().timeout(timeout).thenReturn(redis))
            .subscribeOn(Schedulers.boundedElastic())
            .doFinally(signal -> connecting.set(false))
            .subscribe(redis -> {
                connection = redis;
                reachable();
            }, this::unreachable);
    }

    /** A command succeeded. */
    public void reachable() {
        if (mode.get() == Mode.SHARED) {
            return;
        }
        Mode before = mode.getAndSet(Mode.SHARED);
        if (before == Mode.OUTAGE) {
            log.info(messages.back());
        }
        else if (before == Mode.CONNECTING) {
            log.info(messages.shared());
        }
    }

    /** A command failed or timed out: Redis is left alone until the retry interval has passed. */
    public void unreachable(Throwable error) {
        nextAttemptAt.set(nanoClock.getAsLong() + retryIntervalNanos);
        if (mode.getAndSet(Mode.OUTAGE) != Mode.OUTAGE) {
            log.warn(messages.down(), NestedExceptionUtils.getMostSpecificCause(error).toString());
        }
    }

    private enum Mode {
        CONNECTING, SHARED, OUTAGE
    }

}
