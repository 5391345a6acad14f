package dev.tollgate.provider;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A provider's upstream API keys. Each call takes the key with the fewest calls in flight relative to its weight, ties
 * going to the keys in a turn weighted alike (smooth weighted round robin: weights 3 and 1 give a, a, b, a), so that
 * calls that do not overlap are shared by weight too. A key the provider answered 429 with is left alone for its
 * {@code Retry-After}, one it refused as credentials for {@code UpstreamHttp.REFUSED_KEY_COOLDOWN}, while the others
 * carry on. When every key is cooling
 * down, the one that recovers first is used anyway: the provider then answers for itself (one 429 may concern one
 * model or one large request), rather than Tollgate refusing every call on its behalf. Lock-free: a few atomic reads
 * and one increment per call.
 */
final class UpstreamKeys {

    static final int MAX_WEIGHT = 1000;

    private final List<Slot> slots;
    /** Whose turn each call starts with: every key as many times as its weight, spread out. */
    private final int[] turns;
    private final AtomicInteger turn = new AtomicInteger();

    UpstreamKeys(List<String> keys, List<Integer> weights) {
        List<Slot> built = new ArrayList<>();
        for (int i = 0; i < keys.size(); i++) {
            int weight = i < weights.size() ? weights.get(i) : 1;
            if (weight < 1 || weight > MAX_WEIGHT) {
                throw new IllegalArgumentException("Key weights must be between 1 and " + MAX_WEIGHT);
            }
            built.add(new Slot(i, keys.get(i), weight));
        }
        this.slots = List.copyOf(built);
        this.turns = turns(slots);
    }

    /** Smooth weighted round robin (as nginx balances upstreams), worked out once for one round of turns. */
    private static int[] turns(List<Slot> slots) {
        int total = slots.stream().mapToInt(slot -> slot.weight).sum();
        int[] turns = new int[Math.max(total, 1)];
        int[] current = new int[slots.size()];
        for (int t = 0; t < total; t++) {
            int chosen = 0;
            for (int i = 0; i < slots.size(); i++) {
                current[i] += slots.get(i).weight;
                if (current[i] > current[chosen]) {
                    chosen = i;
                }
            }
            current[chosen] -= total;
            turns[t] = chosen;
        }
        return turns;
    }

    boolean isEmpty() {
        return slots.isEmpty();
    }

    /** Takes a key for one call; {@link Lease#release()} must follow when the call ends. The pool must not be empty. */
    Lease acquire() {
        long now = System.nanoTime();
        int start = turns[Math.floorMod(turn.getAndIncrement(), turns.length)];
        Slot best = null;
        Slot soonest = null;
        for (int i = 0; i < slots.size(); i++) {
            Slot slot = slots.get((start + i) % slots.size());
            if (slot.cooledUntil.get() - now > 0) {
                if (soonest == null || slot.cooledUntil.get() - soonest.cooledUntil.get() < 0) {
                    soonest = slot;
                }
                continue;
            }
            if (best == null || (long) slot.inFlight.get() * best.weight < (long) best.inFlight.get() * slot.weight) {
                best = slot;
            }
        }
        Slot chosen = best != null ? best : soonest;
        chosen.inFlight.incrementAndGet();
        return new Lease(chosen);
    }

    /** Whether some key other than the lease's is not cooling down right now. */
    boolean anyAvailableBesides(Lease lease) {
        long now = System.nanoTime();
        for (Slot slot : slots) {
            if (slot != lease.slot && slot.cooledUntil.get() - now <= 0) {
                return true;
            }
        }
        return false;
    }

    int inFlight(int index) {
        return slots.get(index).inFlight.get();
    }

    /** One call's use of one key. */
    static final class Lease {

        private final Slot slot;
        private final AtomicBoolean released = new AtomicBoolean();

        private Lease(Slot slot) {
            this.slot = slot;
        }

        int index() {
            return slot.index;
        }

        String key() {
            return slot.key;
        }

        void coolDown(Duration duration) {
            long until = System.nanoTime() + duration.toNanos();
            slot.cooledUntil.accumulateAndGet(until, Math::max);
        }

        void release() {
            if (released.compareAndSet(false, true)) {
                slot.inFlight.decrementAndGet();
            }
        }

    }

    private static final class Slot {

        final int index;
        final String key;
        final int weight;
        final AtomicInteger inFlight = new AtomicInteger();
        final AtomicLong cooledUntil = new AtomicLong(System.nanoTime());

        Slot(int index, String key, int weight) {
            this.index = index;
            this.key = key;
            this.weight = weight;
        }

    }

}
