package dev.tollgate.ratelimit;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpStatus;

import dev.tollgate.common.ApiException;

/**
 * What a client is told about its rate limits, in OpenAI's words: the {@code x-ratelimit-limit-*},
 * {@code x-ratelimit-remaining-*} and {@code x-ratelimit-reset-*} headers for requests and tokens on every answer,
 * and, over a limit, a 429 with {@code Retry-After}. Where a key's and its tenant's limits both apply, each header
 * triple describes the tighter one (fewer remaining; when refused, the one that refused longest).
 */
final class RateLimitHeaders {

    /** {@code values()} copies the array on every call. */
    private static final List<Limits.Kind> KINDS = List.of(Limits.Kind.values());

    private RateLimitHeaders() {
    }

    /** The headers for a request that was counted (or refused) with these levels. */
    static Map<String, String> of(List<Scope> scopes, Verdict verdict, long tokens, Duration window) {
        Map<String, String> headers = new LinkedHashMap<>(8);
        for (Limits.Kind kind : KINDS) {
            Reading reading = binding(scopes, verdict, kind, tokens, window);
            if (reading != null) {
                headers.put(kind.limitHeader, Long.toString(reading.limit()));
                headers.put(kind.remainingHeader, Long.toString(reading.remaining()));
                headers.put(kind.resetHeader, goDuration(reading.reset()));
            }
        }
        return headers;
    }

    /**
     * The 429 for a refused request: {@code type} names what ran out ({@code requests} or {@code tokens}),
     * {@code Retry-After} says when the request would fit. A request larger than a whole window's tokens can never
     * fit, so it gets no {@code Retry-After}.
     */
    static ApiException refusal(List<Scope> scopes, Verdict verdict, long tokens, Duration window) {
        Reading worst = null;
        for (Limits.Kind kind : KINDS) {
            Reading reading = binding(scopes, verdict, kind, tokens, window);
            if (reading != null && reading.refused() && (worst == null || reading.bindsMoreThan(worst))) {
                worst = reading;
            }
        }
        if (worst == null) {
            throw new IllegalArgumentException("The verdict refused nothing");
        }
        Map<String, String> headers = of(scopes, verdict, tokens, window);
        Limits.Kind kind = worst.kind();
        String what = kind.wireName() + " per minute (" + kind.abbreviation() + ") on " + worst.scope().owner()
            .description();
        String message;
        if (worst.neverFits()) {
            message = "Request too large for " + what + ": Limit " + worst.limit() + ", Requested " + worst.cost()
                    + ". Lower max_tokens or shorten the prompt.";
        }
        else {
            Map<String, String> retry = new LinkedHashMap<>();
            retry.put("Retry-After", Long.toString(Math.max(1, ceilDiv(worst.retry().toMillis(), 1000))));
            retry.put("retry-after-ms", Long.toString(Math.max(1, worst.retry().toMillis())));
            retry.putAll(headers);
            headers = retry;
            message = "Rate limit reached for " + what + ": Limit " + worst.limit() + ", Remaining "
                    + worst.remaining() + ", Requested " + worst.cost() + ". Please try again in "
                    + goDuration(worst.retry()) + ".";
        }
        return new ApiException(HttpStatus.TOO_MANY_REQUESTS, kind.wireName(), "rate_limit_exceeded", message, null,
                headers, null);
    }

    /**
     * A duration as OpenAI's headers write it (Go's notation): {@code 20ms}, {@code 1.5s}, {@code 6m0s}. Rounded up
     * to the millisecond, so that a client waiting that long finds the room it was promised.
     */
    static String goDuration(Duration duration) {
        long millis = duration.isNegative() ? 0 : ceilDiv(duration.toNanos(), 1_000_000);
        if (millis == 0) {
            return "0s";
        }
        if (millis < 1000) {
            return millis + "ms";
        }
        long hours = millis / 3_600_000;
        long minutes = millis / 60_000 % 60;
        StringBuilder text = new StringBuilder();
        if (hours > 0) {
            text.append(hours).append('h');
        }
        if (hours > 0 || minutes > 0) {
            text.append(minutes).append('m');
        }
        text.append(millis / 1000 % 60);
        long fraction = millis % 1000;
        if (fraction > 0) {
            // Three digits without the trailing zeros: 500 → .5, 50 → .05, 5 → .005 (no Formatter: every answer has one).
            text.append('.');
            for (long digit = 100; fraction > 0; digit /= 10) {
                text.append(fraction / digit);
                fraction %= digit;
            }
        }
        return text.append('s').toString();
    }

    /** The scope whose limit of this kind binds (the most refused, else the fewest remaining); null if none has one. */
    private static @Nullable Reading binding(List<Scope> scopes, Verdict verdict, Limits.Kind kind, long tokens,
            Duration window) {
        Reading binding = null;
        for (int i = 0; i < scopes.size(); i++) {
            Scope scope = scopes.get(i);
            long limit = scope.limits().of(kind);
            if (limit <= 0) {
                continue;
            }
            Reading reading = new Reading(scope, kind, limit, kind == Limits.Kind.REQUESTS ? 1 : tokens,
                    verdict.levels().get(i).of(kind), verdict.allowed(), window);
            if (binding == null || reading.bindsMoreThan(binding)) {
                binding = reading;
            }
        }
        return binding;
    }

    private static long ceilDiv(long x, long y) {
        return -Math.floorDiv(-x, y);
    }

    /** One scope's bucket of one kind, read for the headers. */
    private record Reading(Scope scope, Limits.Kind kind, long limit, long cost, double level, boolean allowed,
            Duration window) {

        long remaining() {
            return Math.max(0, (long) Math.floor(limit - level + 1e-9));
        }

        /** Until the bucket has drained empty: the limit is whole again. */
        Duration reset() {
            return windows(level);
        }

        boolean refused() {
            return !allowed && !BucketState.fits(level, cost, limit);
        }

        /** Until this request would fit (zero when it fits now). */
        Duration retry() {
            return refused() ? windows(level + cost - limit) : Duration.ZERO;
        }

        /** A request larger than a whole window of this limit: no wait makes it fit. */
        boolean neverFits() {
            return cost > limit;
        }

        /**
         * Refused over not; of two refusals, one no wait can lift (the client must make the request smaller, and a
         * {@code Retry-After} from another limit would only have it wait to be refused again), then the longer wait.
         */
        boolean bindsMoreThan(Reading other) {
            if (refused() != other.refused()) {
                return refused();
            }
            if (refused()) {
                if (neverFits() != other.neverFits()) {
                    return neverFits();
                }
                return retry().compareTo(other.retry()) > 0;
            }
            return remaining() < other.remaining()
                    || remaining() == other.remaining() && reset().compareTo(other.reset()) > 0;
        }

        /**
         * How long the bucket takes to drain {@code fill} (requests or tokens, fractional because a leaky bucket
         * drains continuously; never money): {@code limit} of them per window.
         */
        private Duration windows(double fill) {
            return Duration.ofNanos((long) Math.ceil(Math.max(0, fill) / limit * window.toNanos()));
        }

    }

}
