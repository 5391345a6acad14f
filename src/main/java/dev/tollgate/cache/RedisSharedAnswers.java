package dev.tollgate.cache;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.data.redis.connection.ReactiveRedisConnection;
import org.springframework.data.redis.connection.ReactiveRedisConnectionFactory;
import org.springframework.data.redis.connection.RedisStringCommands.SetOption;
import org.springframework.data.redis.core.types.Expiration;
import reactor.core.publisher.Mono;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import dev.tollgate.common.RedisLink;
import dev.tollgate.provider.TokenUsage;

/**
 * The response cache shared by every replica through Redis ({@code spring.data.redis.url}): one string per answer,
 * {@code tollgate:cache:<key>}, expiring with the answer's time to live. Redis never fails a call: a lookup that
 * Redis refuses or does not answer within {@code tollgate.cache.redis.timeout} is a miss, a store is dropped, one
 * warning is logged per outage, and Redis is tried again after {@code tollgate.cache.redis.retry-interval}.
 */
final class RedisSharedAnswers implements SharedAnswers, SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(RedisSharedAnswers.class);

    private static final String KEY_PREFIX = "tollgate:cache:";

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

    @Override
    public Mono<CachedAnswer> get(String key) {
        ReactiveRedisConnection redis = link.usableConnection();
        if (redis == null) {
            return Mono.empty();
        }
        return redis.stringCommands().get(utf8(KEY_PREFIX + key))
            .timeout(link.timeout())
            .doOnSuccess(found -> link.reachable())
            .mapNotNull(this::answer)
            .onErrorResume(error -> {
                link.unreachable(error);
                return Mono.empty();
            });
    }

    @Override
    public void put(String key, CachedAnswer answer, CacheDirective directive) {
        ReactiveRedisConnection redis = link.usableConnection();
        if (redis == null) {
            return;
        }
        redis.stringCommands()
            .set(utf8(KEY_PREFIX + key), ByteBuffer.wrap(json.writeValueAsBytes(Stored.of(answer, json))),
                    Expiration.from(directive.ttl()), SetOption.upsert())
            .timeout(link.timeout())
            .subscribe(done -> link.reachable(), link::unreachable);
    }

    /** An entry as stored, or null for one this version cannot read (it is then a miss, and replaced). */
    private @Nullable CachedAnswer answer(ByteBuffer stored) {
        try {
            return json.readValue(StandardCharsets.UTF_8.decode(stored).toString(), Stored.class).answer(json);
        }
        catch (JacksonException | IllegalArgumentException | NullPointerException ex) {
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

    private static ByteBuffer utf8(String text) {
        return ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
    }

    /** An answer as JSON: the answer's own JSON as a member, its usage as the eight counts of {@link TokenUsage}. */
    record Stored(JsonNode answer, long[] usage, @Nullable String stopSequence, String model, String provider) {

        static Stored of(CachedAnswer answer, JsonMapper json) {
            TokenUsage u = answer.usage();
            return new Stored(json.readTree(answer.json()), new long[] {u.promptTokens(), u.completionTokens(),
                u.cachedTokens(), u.cacheWriteTokens(), u.reasoningTokens(), u.hourCacheWriteTokens(),
                u.audioPromptTokens(), u.cachedAudioTokens()}, answer.stopSequence(), answer.model(),
                    answer.provider());
        }

        CachedAnswer answer(JsonMapper json) {
            if (usage.length != 8) {
                throw new IllegalArgumentException("usage has " + usage.length + " counts");
            }
            return new CachedAnswer(json.writeValueAsBytes(answer), new TokenUsage(usage[0], usage[1], usage[2],
                    usage[3], usage[4], usage[5], usage[6], usage[7]), stopSequence, model, provider);
        }

    }

}
