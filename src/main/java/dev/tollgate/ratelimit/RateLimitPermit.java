package dev.tollgate.ratelimit;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

import org.jspecify.annotations.Nullable;

/**
 * An admitted request's place in its rate limits: the headers that describe them for the answer, and the token
 * count to correct once the call's real usage is known. Admission counts the prompt's estimate plus
 * {@code max_tokens} (or nothing for the completion when the request sets none); {@link #settle} replaces that
 * with what the call used.
 */
public final class RateLimitPermit {

    static final RateLimitPermit UNLIMITED = new RateLimitPermit(Map.of(), null, List.of(), 0);

    private final Map<String, String> headers;
    private final @Nullable RateLimiter limiter;
    private final List<Scope> tokenScopes;
    private final long countedTokens;
    private final AtomicBoolean settled = new AtomicBoolean();

    RateLimitPermit(Map<String, String> headers, @Nullable RateLimiter limiter, List<Scope> scopes,
            long countedTokens) {
        // Kept in the order they were made (Map.copyOf would not): the answer's headers follow it.
        this.headers = Collections.unmodifiableMap(headers);
        this.limiter = limiter;
        this.tokenScopes = tokenScopes(scopes);
        this.countedTokens = countedTokens;
    }

    /** A loop, not a stream: this runs on every call, and a stream's pipeline cost more than the rest of it. */
    private static List<Scope> tokenScopes(List<Scope> scopes) {
        List<Scope> counted = new ArrayList<>(scopes.size());
        for (Scope scope : scopes) {
            if (scope.limits().tokens() > 0) {
                counted.add(scope);
            }
        }
        return counted;
    }

    /** OpenAI's {@code x-ratelimit-*} headers for the answer; empty when no limit applies. */
    public Map<String, String> headers() {
        return headers;
    }

    /**
     * Corrects the token limits with what the call really used (prompt plus completion; zero for a call that failed
     * before any byte). Only the first call counts; later ones do nothing. Never blocks.
     */
    public void settle(long usedTokens) {
        if (limiter == null || tokenScopes.isEmpty() || !settled.compareAndSet(false, true)) {
            return;
        }
        long delta = Math.max(0, usedTokens) - countedTokens;
        if (delta != 0) {
            limiter.adjustTokens(tokenScopes, delta);
        }
    }

}
