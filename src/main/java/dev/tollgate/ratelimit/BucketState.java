package dev.tollgate.ratelimit;

/**
 * One scope's buckets on this instance at a moment: levels that drain continuously at the limit per window (a leaky
 * bucket, the same arithmetic as GCRA), so a scope may burst up to its limit and then goes on at its steady rate.
 * Immutable: a limiter swaps whole states with compare-and-set.
 *
 * @param at when the levels were last brought up to date ({@link System#nanoTime()} scale)
 * @param requests requests in the bucket
 * @param tokens tokens in the bucket
 * @param emptyAt when both buckets will have drained empty, so that the state can be forgotten
 */
record BucketState(long at, double requests, double tokens, long emptyAt) {

    /** Levels this close over a limit still fit, so that floating-point drift never refuses a request exactly at it. */
    private static final double TOLERANCE = 1e-9;

    static final BucketState EMPTY = new BucketState(0, 0, 0, 0);

    /** Put in place of a state that is being forgotten; whoever finds it looks the scope up again. */
    static final BucketState RETIRED = new BucketState(Long.MIN_VALUE, 0, 0, Long.MIN_VALUE);

    /** This state at {@code now}, after draining for the time since {@link #at}. */
    BucketState drainedTo(long now, Limits limits, long windowNanos) {
        if (requests == 0 && tokens == 0) {
            return new BucketState(now, 0, 0, now);
        }
        // Concurrent callers read the clock in any order: a state newer than "now" has nothing to drain yet.
        double elapsed = Math.max(0, now - at);
        return new BucketState(Math.max(now, at), drain(requests, elapsed, limits.requests(), windowNanos),
                drain(tokens, elapsed, limits.tokens(), windowNanos), emptyAt);
    }

    boolean fits(Limits limits, long tokenCost) {
        return fits(requests, 1, limits.requests()) && fits(tokens, tokenCost, limits.tokens());
    }

    /** This state with a request of {@code tokenCost} tokens added (or taken away, when negative). */
    BucketState plus(long requestCost, long tokenCost, Limits limits, long windowNanos) {
        double r = limits.requests() > 0 ? Math.max(0, requests + requestCost) : 0;
        double t = limits.tokens() > 0 ? Math.max(0, tokens + tokenCost) : 0;
        double drainWindows = Math.max(limits.requests() > 0 ? r / limits.requests() : 0,
                limits.tokens() > 0 ? t / limits.tokens() : 0);
        return new BucketState(at, r, t, at + (long) Math.ceil(drainWindows * windowNanos));
    }

    Levels levels() {
        return new Levels(requests, tokens);
    }

    static boolean fits(double level, long cost, long limit) {
        return limit <= 0 || level + cost <= limit + TOLERANCE;
    }

    private static double drain(double level, double elapsedNanos, long limit, long windowNanos) {
        return limit <= 0 ? 0 : Math.max(0, level - elapsedNanos * limit / windowNanos);
    }

}
