package dev.tollgate.cache;

import java.time.Duration;
import java.util.Locale;

import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpHeaders;

import dev.tollgate.common.ApiException;

/**
 * What a call asks of the response cache, from its headers: {@code x-tollgate-cache: true} (look the answer up, and
 * keep a fresh one), {@code x-tollgate-cache: refresh} (do not look, keep the fresh answer in place of the one kept),
 * and {@code x-tollgate-cache-ttl: <seconds>} (how long to keep it; on its own it means {@code true}). Without them,
 * the cache is not used: an answer is cached only for callers who asked, as a model's answers vary from call to call.
 *
 * @param lookUp whether a kept answer may serve the call
 * @param store whether the call's fresh answer is kept
 * @param ttl how long it is kept
 */
public record CacheDirective(boolean lookUp, boolean store, Duration ttl) {

    public static final String HEADER = "x-tollgate-cache";

    public static final String TTL_HEADER = "x-tollgate-cache-ttl";

    public static final CacheDirective NONE = new CacheDirective(false, false, Duration.ZERO);

    public boolean active() {
        return store;
    }

    public static CacheDirective of(HttpHeaders headers, CacheProperties properties) {
        String mode = headers.getFirst(HEADER);
        String ttlValue = headers.getFirst(TTL_HEADER);
        if (mode == null && ttlValue == null) {
            return NONE;
        }
        Duration ttl = ttl(ttlValue, properties);
        String normalized = mode == null ? "true" : mode.strip().toLowerCase(Locale.ROOT);
        return switch (normalized) {
            case "true", "1", "yes", "on" -> new CacheDirective(true, true, ttl);
            case "refresh" -> new CacheDirective(false, true, ttl);
            case "false", "0", "no", "off" -> NONE;
            default -> throw ApiException.invalidParam(HEADER,
                    "The " + HEADER + " header must be true, false or refresh.");
        };
    }

    private static Duration ttl(@Nullable String value, CacheProperties properties) {
        if (value == null) {
            return properties.defaultTtl();
        }
        long seconds;
        try {
            seconds = Long.parseLong(value.strip());
        }
        catch (NumberFormatException ex) {
            seconds = -1;
        }
        if (seconds < 1 || seconds > properties.maxTtl().toSeconds()) {
            throw ApiException.invalidParam(TTL_HEADER, "The " + TTL_HEADER + " header must be a whole number of "
                    + "seconds from 1 to " + properties.maxTtl().toSeconds() + ".");
        }
        return Duration.ofSeconds(seconds);
    }

}
