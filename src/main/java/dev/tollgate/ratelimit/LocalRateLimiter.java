package dev.tollgate.ratelimit;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongSupplier;

import org.springframework.scheduling.annotation.Scheduled;
import reactor.core.publisher.Mono;

/**
 * Rate limits in this instance's memory: one small immutable state per scope, swapped with compare-and-set, so
 * concurrent requests of different scopes never wait for each other and those of one scope retry a CAS at worst.
 * A request is counted in all its scopes or none: it is added scope by scope and taken back from those already
 * counted when a later scope refuses it. States that have drained empty are forgotten by {@link #forgetIdle()}.
 */
final class LocalRateLimiter implements RateLimiter {

    private final ConcurrentHashMap<String, AtomicReference<BucketState>> buckets = new ConcurrentHashMap<>();
    private final long windowNanos;
    private final LongSupplier nanoClock;

    LocalRateLimiter(Duration window, LongSupplier nanoClock) {
        this.windowNanos = window.toNanos();
        this.nanoClock = nanoClock;
    }

    @Override
    public Mono<Verdict> take(List<Scope> scopes, long tokens) {
        return Mono.just(takeNow(scopes, tokens));
    }

    Verdict takeNow(List<Scope> scopes, long tokens) {
        long now = nanoClock.getAsLong();
        Levels[] levels = new Levels[scopes.size()];
        for (int i = 0; i < scopes.size(); i++) {
            if (!tryTake(scopes.get(i), now, tokens, levels, i)) {
                return refused(scopes, i, levels, now, tokens);
            }
        }
        return new Verdict(true, Arrays.asList(levels), this);
    }

    @Override
    public void adjustTokens(List<Scope> scopes, long delta) {
        long now = nanoClock.getAsLong();
        for (Scope scope : scopes) {
            if (scope.limits().tokens() > 0) {
                add(scope, now, 0, delta);
            }
        }
    }

    /** Drops the states of scopes whose buckets have drained empty: they mean the same as no state at all. */
    @Scheduled(fixedDelayString = "${tollgate.ratelimit.window:1m}")
    void forgetIdle() {
        long now = nanoClock.getAsLong();
        buckets.forEach((id, bucket) -> {
            BucketState state = bucket.get();
            if (state != BucketState.RETIRED && now - state.emptyAt() >= 0
                    && bucket.compareAndSet(state, BucketState.RETIRED)) {
                buckets.remove(id, bucket);
            }
        });
    }

    int size() {
        return buckets.size();
    }

    /**
     * Counts the request in this scope if it fits, and puts in {@code levels[index]} the scope's levels after it, or,
     * when it does not fit (nothing counted), the levels it did not fit: those the refusal reports. Read again later,
     * another call's tokens given back meanwhile could show room, and the refusal reported nothing refused (a 500).
     */
    private boolean tryTake(Scope scope, long now, long tokens, Levels[] levels, int index) {
        while (true) {
            AtomicReference<BucketState> bucket = bucket(scope.id());
            BucketState current = bucket.get();
            if (current == BucketState.RETIRED) {
                buckets.remove(scope.id(), bucket);
                continue;
            }
            BucketState drained = current.drainedTo(now, scope.limits(), windowNanos);
            if (!drained.fits(scope.limits(), tokens)) {
                levels[index] = drained.levels();
                return false;
            }
            BucketState taken = drained.plus(1, tokens, scope.limits(), windowNanos);
            if (bucket.compareAndSet(current, taken)) {
                levels[index] = taken.levels();
                return true;
            }
        }
    }

    private Verdict refused(List<Scope> scopes, int refusedAt, Levels[] counted, long now, long tokens) {
        List<Levels> found = new ArrayList<>(scopes.size());
        for (int i = 0; i < scopes.size(); i++) {
            if (i < refusedAt) {
                add(scopes.get(i), now, -1, -tokens);
                found.add(counted[i].minus(1, tokens));
            }
            else if (i == refusedAt) {
                found.add(counted[i]);
            }
            else {
                found.add(peek(scopes.get(i), now));
            }
        }
        return new Verdict(false, found, this);
    }

    private Levels peek(Scope scope, long now) {
        AtomicReference<BucketState> bucket = buckets.get(scope.id());
        BucketState state = bucket == null ? BucketState.EMPTY : bucket.get();
        return state == BucketState.RETIRED ? Levels.EMPTY
                : state.drainedTo(now, scope.limits(), windowNanos).levels();
    }

    private void add(Scope scope, long now, long requests, long tokens) {
        while (true) {
            AtomicReference<BucketState> bucket = requests > 0 || tokens > 0 ? bucket(scope.id())
                    : buckets.get(scope.id());
            if (bucket == null) {
                return;
            }
            BucketState current = bucket.get();
            if (current == BucketState.RETIRED) {
                buckets.remove(scope.id(), bucket);
                continue;
            }
            BucketState next = current.drainedTo(now, scope.limits(), windowNanos)
                .plus(requests, tokens, scope.limits(), windowNanos);
            if (bucket.compareAndSet(current, next)) {
                return;
            }
        }
    }

    private AtomicReference<BucketState> bucket(String id) {
        AtomicReference<BucketState> bucket = buckets.get(id);
        return bucket != null ? bucket : buckets.computeIfAbsent(id, key -> new AtomicReference<>(BucketState.EMPTY));
    }

}
