package dev.tollgate.bench;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import org.jspecify.annotations.Nullable;

/**
 * Measures how often the machine stops running the load generator, as jHiccup does: a thread asks to sleep a
 * millisecond, over and over, and notes how much later than that it woke up. It runs in the load generator's JVM during
 * each measured run, so it sees what stalls every process on the machine (a virtual machine's CPU taken away by its host,
 * the kernel's own work) and what stalls the load generator (its collector's pauses). A call due during such a stall
 * starts late whatever path it takes, so a run's tail is read against the stalls seen during it.
 * <p>
 * Off unless {@code -Dbench.stallMeter=true}: waking a thousand times a second costs the run it measures. On two
 * shared cores, alternating runs with and without it, twice each, took the added latency at 300 streams/s from a p50
 * of 3.3 and 2.9 ms to 24 and 12 ms, and Tollgate's CPU per call at 1,000 requests/s from 301 and 284 µs to 396 and 374
 * (each wake-up takes a core from whatever ran there). Use it to look at a tail, not for the other numbers.
 */
final class StallMeter {

    /** What one run saw. {@code lostMs}: the time the stalls of a millisecond or more took, added up. */
    record Stalls(long over5Ms, double longestMs, double lostMs) {
    }

    private static final long SLEEP_NANOS = TimeUnit.MILLISECONDS.toNanos(1);

    private final Thread thread;

    private volatile boolean running = true;

    private long over5Ms;

    private long longestNanos;

    private long lostNanos;

    private StallMeter() {
        this.thread = new Thread(this::measure, "bench-stall-meter");
        thread.setDaemon(true);
    }

    static StallMeter start() {
        StallMeter meter = new StallMeter();
        if (Boolean.getBoolean("bench.stallMeter")) {
            meter.thread.start();
        }
        return meter;
    }

    /** What the run saw, or null when the meter is off. */
    @Nullable Stalls stop() {
        if (thread.getState() == Thread.State.NEW) {
            return null;
        }
        running = false;
        try {
            thread.join();
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
        }
        // join() orders the thread's writes before these reads.
        return new Stalls(over5Ms, longestNanos / 1e6, lostNanos / 1e6);
    }

    private void measure() {
        long before = System.nanoTime();
        while (running) {
            LockSupport.parkNanos(SLEEP_NANOS);
            long after = System.nanoTime();
            note(after - before - SLEEP_NANOS);
            before = after;
        }
    }

    private void note(long lateNanos) {
        if (lateNanos < TimeUnit.MILLISECONDS.toNanos(1)) {
            return;
        }
        lostNanos += lateNanos;
        longestNanos = Math.max(longestNanos, lateNanos);
        if (lateNanos >= TimeUnit.MILLISECONDS.toNanos(5)) {
            over5Ms++;
        }
    }
}
