package dev.tollgate.cache;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.data.redis.connection.ReactiveRedisConnection;
import org.springframework.data.redis.connection.ReactiveRedisConnectionFactory;
import org.springframework.data.redis.connection.RedisStringCommands.SetOption;
import org.springframework.data.redis.core.types.Expiration;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.json.JsonMapper;

import dev.tollgate.common.RedisLink;
import dev.tollgate.provider.TokenUsage;

/**
 * The response cache shared by every replica through Redis ({@code spring.data.redis.url}): one string per answer,
 * {@code tollgate:cache:<key>}, expiring with the answer's time to live. Redis never fails a call: a lookup that
 * Redis refuses or does not answer within {@code tollgate.cache.redis.timeout} fails, and the cache answers from the
 * instance's memory; a store is dropped; one warning is logged per outage, and Redis is tried again after
 * {@code tollgate.cache.redis.retry-interval}.
 */
final class RedisSharedAnswers implements SharedAnswers, SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(RedisSharedAnswers.class);

    private static final String KEY_PREFIX = "tollgate:cache:";

    /** Redis is not to be used right now (an outage, or not connected yet): the cache answers from memory. */
    private static final IllegalStateException UNAVAILABLE = new IllegalStateException("Redis is not in use now") {
        @Override
        public synchronized Throwable fillInStackTrace() {
            return this;
        }
    };

    private final RedisLink link;
    private final JsonMapper json;
    private volatile boolean running;

    RedisSharedAnswers(ReactiveRedisConnectionFactory connections, CacheProperties properties, JsonMapper json) {
        this.json = json;
        this.link = new RedisLink(connections, properties.redis().timeout(), properties.redis().retryInterval(),
                System::nanoTime, log, new RedisLink.Messages("The response cache is shared by all replicas through Redis",
                        "The response cache cannot reach Redis ({}): each instance answers from its own until it is back",
                        "The response cache reaches Redis again: it is shared by all replicas again"));
    }

    /**
     * The entry, read on Reactor's parallel scheduler: Lettuce answers on its one I/O thread, which the rate limits'
     * scripts share, and an answer may be a megabyte.
     */
    @Override
    public Mono<CachedAnswer> get(String key) {
        ReactiveRedisConnection redis = link.usableConnection();
        if (redis == null) {
            return Mono.error(UNAVAILABLE);
        }
        return redis.stringCommands().get(RedisLink.utf8(KEY_PREFIX + key))
            .timeout(link.timeout())
            .doOnSuccess(found -> link.reachable())
            .doOnError(link::unreachable)
            .publishOn(Schedulers.parallel())
            .mapNotNull(this::answer);
    }

    @Override
    public void put(String key, CachedAnswer answer, CacheDirective directive) {
        ReactiveRedisConnection redis = link.usableConnection();
        if (redis == null) {
            return;
        }
        redis.stringCommands()
            .set(RedisLink.utf8(KEY_PREFIX + key), ByteBuffer.wrap(stored(answer)), Expiration.from(directive.ttl()),
                    SetOption.upsert())
            .timeout(link.timeout())
            .subscribe(done -> link.reachable(), link::unreachable);
    }

    /** An entry: a line of JSON with the usage and who wrote the answer, then the answer's own JSON as it is. */
    private byte[] stored(CachedAnswer answer) {
        TokenUsage u = answer.usage();
        byte[] header = json.writeValueAsBytes(new Header(new long[] {u.promptTokens(), u.completionTokens(),
            u.cachedTokens(), u.cacheWriteTokens(), u.reasoningTokens(), u.hourCacheWriteTokens(),
            u.audioPromptTokens(), u.cachedAudioTokens(), u.audioCompletionTokens()}, answer.stopSequence(), answer.model(), answer.provider()));
        byte[] entry = new byte[header.length + 1 + answer.json().length];
        System.arraycopy(header, 0, entry, 0, header.length);
        entry[header.length] = '\n';
        System.arraycopy(answer.json(), 0, entry, header.length + 1, answer.json().length);
        return entry;
    }

    /** An entry as stored, or null for one this version cannot read (it is then a miss, and replaced). */
    private @Nullable CachedAnswer answer(ByteBuffer stored) {
        byte[] entry = new byte[stored.remaining()];
        stored.get(entry);
        int newline = 0;
        while (newline < entry.length && entry[newline] != '\n') {
            newline++;
        }
        try {
            Header header = json.readValue(entry, 0, newline, Header.class);
            long[] u = header.usage();
            // Eight counts: an entry written before answers' audio was counted, which had none.
            if (newline >= entry.length || u == null || u.length != 8 && u.length != 9 || header.model() == null
                    || header.provider() == null) {
                throw new IllegalArgumentException("not an entry of this version");
            }
            return new CachedAnswer(Arrays.copyOfRange(entry, newline + 1, entry.length),
                    new TokenUsage(u[0], u[1], u[2], u[3], u[4], u[5], u[6], u[7], u.length == 9 ? u[8] : 0),
                    header.stopSequence(),
                    header.model(), header.provider());
        }
        catch (JacksonException | IllegalArgumentException ex) {
            log.debug("An entry of the shared response cache could not be read: {}", ex.toString());
            return null;
        }
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

    /** An entry's first line: the answer's usage as the nine counts of {@link TokenUsage}, and who wrote it. */
    record Header(long @Nullable [] usage, @Nullable String stopSequence, @Nullable String model,
            @Nullable String provider) {
    }

}
