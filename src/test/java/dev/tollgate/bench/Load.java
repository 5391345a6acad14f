package dev.tollgate.bench;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.SynchronizedHistogram;
import org.jspecify.annotations.Nullable;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The two ways the benchmark loads a target. Open: calls start on a fixed schedule whatever happens to earlier ones,
 * and each call's latency counts from when it was due, not from when it was sent, so a stall shows in the numbers
 * instead of being hidden by a load generator that waited (coordinated omission, as wrk2 corrects it). Closed: a fixed
 * number of callers, each sending its next call when the last one ends, which finds the most a target can serve.
 */
final class Load {

    /** Latencies in microseconds, up to ten minutes, three significant digits. */
    static Histogram histogram() {
        return new SynchronizedHistogram(TimeUnit.MINUTES.toMicros(10), 3);
    }

    /** {@code stalls}: how the machine stalled the load generator meanwhile ({@link StallMeter}; null when off). */
    record Measured(Histogram latency, Histogram firstByte, long calls, Map<String, Long> failures, Duration elapsed,
            StallMeter.@Nullable Stalls stalls) {

        long errors() {
            return failures.values().stream().mapToLong(Long::longValue).sum();
        }

        double throughput() {
            return calls * 1e9 / elapsed.toNanos();
        }

        /** This run and a later one of the same path, as one: their calls, failures, time and stalls added up. */
        Measured plus(Measured later) {
            Histogram latencies = histogram();
            latencies.add(latency);
            latencies.add(later.latency);
            Histogram firstBytes = histogram();
            firstBytes.add(firstByte);
            firstBytes.add(later.firstByte);
            Map<String, Long> allFailures = new ConcurrentHashMap<>(failures);
            later.failures.forEach((failure, count) -> allFailures.merge(failure, count, Long::sum));
            StallMeter.Stalls allStalls = stalls == null || later.stalls == null ? null
                    : new StallMeter.Stalls(stalls.over5Ms() + later.stalls.over5Ms(),
                            Math.max(stalls.longestMs(), later.stalls.longestMs()),
                            stalls.lostMs() + later.stalls.lostMs());
            return new Measured(latencies, firstBytes, calls + later.calls, Map.copyOf(allFailures),
                    elapsed.plus(later.elapsed), allStalls);
        }
    }

    private Load() {
    }

    static Measured open(LoadClient client, Target target, boolean stream, int perSecond, Duration duration)
            throws InterruptedException {
        Histogram latency = histogram();
        Histogram firstByte = histogram();
        Map<String, Long> errors = new ConcurrentHashMap<>();
        int calls = (int) (perSecond * duration.toMillis() / 1000);
        CountDownLatch finished = new CountDownLatch(calls);
        long interval = 1_000_000_000L / perSecond;
        StallMeter stalls = StallMeter.start();
        long start = System.nanoTime() + interval;
        for (int i = 0; i < calls; i++) {
            long due = start + i * interval;
            for (long wait = due - System.nanoTime(); wait > 0; wait = due - System.nanoTime()) {
                LockSupport.parkNanos(wait);
            }
            client.call(target, stream).subscribe(outcome -> {
                record(outcome, due, latency, firstByte, errors);
                finished.countDown();
            });
        }
        if (!finished.await(duration.toSeconds() + 120, TimeUnit.SECONDS)) {
            errors.merge("no answer", finished.getCount(), Long::sum);
        }
        return new Measured(latency, firstByte, calls, Map.copyOf(errors), Duration.ofNanos(System.nanoTime() - start),
                stalls.stop());
    }

    static Measured closed(LoadClient client, Target target, boolean stream, int callers, Duration duration) {
        Histogram latency = histogram();
        Histogram firstByte = histogram();
        Map<String, Long> errors = new ConcurrentHashMap<>();
        AtomicLong calls = new AtomicLong();
        StallMeter stalls = StallMeter.start();
        long start = System.nanoTime();
        long end = start + duration.toNanos();
        Flux.range(0, callers)
                .flatMap(caller -> Mono.defer(() -> {
                    long sent = System.nanoTime();
                    return client.call(target, stream).doOnNext(outcome -> {
                        calls.incrementAndGet();
                        record(outcome, sent, latency, firstByte, errors);
                    });
                }).repeat(() -> System.nanoTime() < end), callers)
                .blockLast(duration.plusMinutes(2));
        return new Measured(latency, firstByte, calls.get(), Map.copyOf(errors),
                Duration.ofNanos(System.nanoTime() - start), stalls.stop());
    }

    private static void record(LoadClient.Outcome outcome, long due, Histogram latency, Histogram firstByte,
            Map<String, Long> errors) {
        if (!outcome.ok()) {
            errors.merge(outcome.failure(), 1L, Long::sum);
            return;
        }
        latency.recordValue(Math.max(0, (outcome.endNanos() - due) / 1000));
        firstByte.recordValue(Math.max(0, (outcome.firstByteNanos() - due) / 1000));
    }
}
