package dev.tollgate.cache;

import java.util.HexFormat;
import java.util.List;
import java.util.TreeSet;
import java.util.function.Predicate;
import java.util.UUID;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.jspecify.annotations.Nullable;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.http.HttpHeaders;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

import dev.tollgate.common.Sha256;

/**
 * Whole chat answers kept per tenant for the calls that ask for it ({@link CacheDirective}), in each instance's
 * memory, bounded by size ({@code tollgate.cache.max-size}) and each entry by its time to live, and in Redis for every
 * replica when it is configured ({@link RedisSharedAnswers}). A hit is served without a provider, a credit hold or a
 * charge.
 *
 * <p>The key is a SHA-256 of the tenant, the model asked for, its fallbacks and provider preferences, and the request
 * exactly as a provider would get it (after the guardrails; Tollgate's own fields and the stream flag left out): two
 * tenants never share an answer, and any difference in a message, a parameter or a tool makes another key.
 */
@Component
public class ResponseCache {

    private final Cache<String, Kept> answers;
    private final CacheProperties properties;
    private final JsonMapper json;
    private final Counter hits;
    private final Counter misses;
    private final @Nullable SharedAnswers shared;

    ResponseCache(CacheProperties properties, JsonMapper json, MeterRegistry meters,
            ObjectProvider<SharedAnswers> shared) {
        this.properties = properties;
        this.json = json;
        this.shared = shared.getIfAvailable();
        this.answers = Caffeine.newBuilder()
            .maximumWeight(properties.maxSize().toBytes())
            .weigher((String key, Kept kept) -> kept.answer().weight())
            .expireAfter(new Expiry<String, Kept>() {
                @Override
                public long expireAfterCreate(String key, Kept kept, long now) {
                    return kept.ttlNanos();
                }

                @Override
                public long expireAfterUpdate(String key, Kept kept, long now, long current) {
                    return kept.ttlNanos();
                }

                @Override
                public long expireAfterRead(String key, Kept kept, long now, long current) {
                    return current;
                }
            })
            .build();
        this.hits = Counter.builder("tollgate.cache.requests").tag("result", "hit")
            .description("Calls that asked for the response cache, by whether a kept answer served them")
            .register(meters);
        this.misses = Counter.builder("tollgate.cache.requests").tag("result", "miss")
            .description("Calls that asked for the response cache, by whether a kept answer served them")
            .register(meters);
        Gauge.builder("tollgate.cache.size", answers, cache -> cache.estimatedSize())
            .description("Answers kept in this instance's response cache")
            .register(meters);
    }

    /** What the call's headers ask of the cache; a 400 for headers that make no sense. */
    public CacheDirective directive(HttpHeaders headers) {
        return CacheDirective.of(headers, properties);
    }

    /** The key of a call; see the class comment for what goes into it. */
    public String key(UUID tenantId, String model, List<String> fallbackModels, Object providers, ObjectNode body) {
        ObjectNode keyed = json.createObjectNode();
        keyed.put("tenant", tenantId.toString());
        keyed.put("model", model);
        keyed.putPOJO("fallbacks", fallbackModels);
        keyed.put("providers", String.valueOf(providers));
        ObjectNode request = canonical(body);
        request.remove("stream");
        request.remove("stream_options");
        keyed.set("request", request);
        return HexFormat.of().formatHex(Sha256.of(json.writeValueAsBytes(keyed)));
    }

    /**
     * The request with its own members, and each message's and content part's, in name order: the same request is the
     * same key whatever order its client wrote those fields in (a client's streamed and whole calls need not agree on
     * it). Deeper objects keep their order: a JSON schema's {@code properties} order is the order a structured
     * output's fields come in.
     */
    private ObjectNode canonical(ObjectNode body) {
        ObjectNode sorted = sortedMembers(body);
        if (sorted.get("messages") instanceof ArrayNode messages) {
            ArrayNode copy = sorted.putArray("messages");
            for (JsonNode message : messages) {
                if (message instanceof ObjectNode object) {
                    ObjectNode sortedMessage = sortedMembers(object);
                    if (sortedMessage.get("content") instanceof ArrayNode parts) {
                        ArrayNode sortedParts = sortedMessage.putArray("content");
                        for (JsonNode part : parts) {
                            sortedParts.add(part instanceof ObjectNode partObject ? sortedMembers(partObject) : part);
                        }
                    }
                    copy.add(sortedMessage);
                }
                else {
                    copy.add(message);
                }
            }
        }
        return sorted;
    }

    private ObjectNode sortedMembers(ObjectNode object) {
        ObjectNode sorted = json.createObjectNode();
        for (String name : new TreeSet<>(object.propertyNames())) {
            sorted.set(name, object.get(name));
        }
        return sorted;
    }

    /**
     * The answer kept under the key, counted as a hit or a miss. With Redis, Redis's (what any replica kept last, so
     * that a {@code refresh} on one replica is what the others serve, and an entry gone from Redis is gone), and this
     * instance's own only while Redis cannot say; without it, this instance's.
     */
    public Mono<CachedAnswer> lookUp(String key) {
        return lookUp(key, answer -> true);
    }

    /** As {@link #lookUp(String)}, an answer the caller cannot serve being no answer, and counted as a miss. */
    public Mono<CachedAnswer> lookUp(String key, Predicate<CachedAnswer> servable) {
        Mono<CachedAnswer> found = shared == null ? local(key)
                : shared.get(key).onErrorResume(error -> Mono.defer(() -> local(key)));
        return counted(found.filter(servable));
    }

    private Mono<CachedAnswer> local(String key) {
        Kept kept = answers.getIfPresent(key);
        return kept == null ? Mono.empty() : Mono.just(kept.answer());
    }

    private Mono<CachedAnswer> counted(Mono<CachedAnswer> lookup) {
        return lookup.doOnNext(found -> hits.increment()).switchIfEmpty(Mono.fromRunnable(misses::increment));
    }

    /**
     * Keeps an answer for the directive's time, in Redis for every replica (when configured) and here (for the times
     * Redis cannot be reached); one over {@code tollgate.cache.max-entry-size} is not kept.
     */
    public void store(String key, CachedAnswer answer, CacheDirective directive) {
        if (answer.json().length > properties.maxEntrySize().toBytes()) {
            return;
        }
        answers.put(key, new Kept(answer, directive.ttl().toNanos()));
        if (shared != null) {
            shared.put(key, answer, directive);
        }
    }

    /** The most a kept answer's JSON may weigh ({@code tollgate.cache.max-entry-size}). */
    public long maxEntrySize() {
        return properties.maxEntrySize().toBytes();
    }

    /** An answer read back as the tree a call brands and sends. */
    public ObjectNode tree(CachedAnswer answer) {
        return (ObjectNode) json.readTree(answer.json());
    }

    /** The JSON an answer is kept as. */
    public byte[] json(ObjectNode answer) {
        return json.writeValueAsBytes(answer);
    }

    private record Kept(CachedAnswer answer, long ttlNanos) {
    }

}
