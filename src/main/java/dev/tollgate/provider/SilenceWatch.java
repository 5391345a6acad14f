package dev.tollgate.provider;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import org.jspecify.annotations.Nullable;

import reactor.core.Disposable;
import reactor.core.publisher.Mono;
import reactor.core.publisher.MonoSink;
import reactor.core.scheduler.Scheduler;

/**
 * Watches one stream for a provider that has gone quiet: the first event must come within the first-byte limit,
 * each next one within the idle limit. Hearing an event only notes the time; a single timer, rescheduled for when the
 * limit would run out (and, until the first event, at least once per idle limit), reads it. Reactor's
 * {@code timeout(first, event -> Mono.delay(idle))}, which this replaced, scheduled one timer and cancelled another
 * for every event of every stream (README "Benchmarks").
 */
final class SilenceWatch {

    private final long firstByteNanos;
    private final long idleNanos;
    private final Scheduler timers;

    // Written by the stream's reader, read by the timer: on the same event loop but for calls made off the loops.
    private volatile long lastHeard;
    private volatile boolean heardAny;
    private volatile boolean expired;

    SilenceWatch(Duration firstByte, Duration idle, Scheduler timers) {
        this.firstByteNanos = firstByte.toNanos();
        this.idleNanos = idle.toNanos();
        this.timers = timers;
    }

    /** Notes that an event (a keep-alive comment counts) arrived now. */
    void heard() {
        lastHeard = System.nanoTime();
        if (!heardAny) { // one volatile store per stream, not per event
            heardAny = true;
        }
    }

    /** Whether the provider stayed quiet past its limit; the stream then ends in a timeout. */
    boolean expired() {
        return expired;
    }

    /** Completes when the provider has been quiet too long; the clock starts on subscription. */
    Mono<Void> silence() {
        return Mono.create(sink -> {
            lastHeard = System.nanoTime();
            Check check = new Check(sink);
            sink.onDispose(check);
            check.schedule(Math.min(firstByteNanos, idleNanos));
        });
    }

    private final class Check implements Runnable, Disposable {

        private final MonoSink<Void> sink;
        private volatile @Nullable Disposable scheduled;
        private volatile boolean disposed;

        Check(MonoSink<Void> sink) {
            this.sink = sink;
        }

        void schedule(long delayNanos) {
            if (!disposed) {
                scheduled = timers.schedule(this, delayNanos, TimeUnit.NANOSECONDS);
            }
        }

        @Override
        public void run() {
            if (disposed) {
                return;
            }
            boolean waitingForFirst = !heardAny;
            long limit = waitingForFirst ? firstByteNanos : idleNanos;
            long quiet = System.nanoTime() - lastHeard;
            if (quiet >= limit) {
                expired = true;
                sink.success();
            }
            else if (waitingForFirst) {
                // Looks again within the idle limit: once the first event comes, the (often shorter) idle limit
                // runs from it, and a check at the first-byte limit would be late for it.
                schedule(Math.min(limit - quiet, idleNanos));
            }
            else {
                schedule(limit - quiet);
            }
        }

        @Override
        public void dispose() {
            disposed = true;
            Disposable current = scheduled;
            if (current != null) {
                current.dispose();
            }
        }

    }

}
