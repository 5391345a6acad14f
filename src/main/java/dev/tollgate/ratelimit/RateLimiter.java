package dev.tollgate.ratelimit;

import java.util.List;

import reactor.core.publisher.Mono;

/** Counts requests and tokens against the limits of several scopes at once. */
interface RateLimiter {

    /**
     * Counts one request of {@code tokens} tokens in every scope if it fits in all of them, else in none.
     * Never fails: a limiter that cannot reach its store decides on this instance alone.
     */
    Mono<Verdict> take(List<Scope> scopes, long tokens);

    /**
     * Corrects the token count of a request already taken, e.g. by what the call really used minus what admission
     * counted ({@code delta} may be negative). Fire and forget.
     */
    void adjustTokens(List<Scope> scopes, long delta);

}
