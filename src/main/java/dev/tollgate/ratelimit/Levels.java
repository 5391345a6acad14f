package dev.tollgate.ratelimit;

/**
 * How full a scope's two buckets are, in requests and in tokens. A bucket drains continuously at its limit per window,
 * so a level of {@code n} takes {@code n / limit} of a window to empty.
 */
record Levels(double requests, double tokens) {

    static final Levels EMPTY = new Levels(0, 0);

    double of(Limits.Kind kind) {
        return kind == Limits.Kind.REQUESTS ? requests : tokens;
    }

    Levels minus(long requestCost, long tokenCost) {
        return new Levels(Math.max(0, requests - requestCost), Math.max(0, tokens - tokenCost));
    }

}
