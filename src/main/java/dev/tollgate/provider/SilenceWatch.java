package dev.tollgate.provider;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpStatus;

import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.MonoSink;
import reactor.core.publisher.Operators;
import reactor.core.scheduler.Scheduler;

import dev.tollgate.common.ApiException;

/**
 * Watches one stream for a provider that has gone quiet: the first event must come within the first-byte limit,
 * each next one within the idle limit. Only while someone is waiting: a client that stops reading stops the relay's
 * demand, then the provider's bytes (TCP pushes back), and that quiet is the client's, not the provider's. The clock
 * stops while no event is wanted and starts again, from zero, when the client reads on. A client that wants nothing
 * for the idle limit has stalled: the stream ends with {@link ClientStalled} (no fault of the provider's), which lets
 * go of the provider's connection, its key and the call's credit hold.
 * <p>
 * Hearing an event only notes the time; a single timer, rescheduled for when the limit would run out (and, until the
 * first event, at least once per idle limit), reads it. Reactor's
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
    private volatile boolean stalled;
    /** When the last event wanted was delivered, while none is wanted. */
    private volatile long wantedNoneSince;
    /** Events asked for and not yet delivered (Long.MAX_VALUE: unbounded). */
    private final AtomicLong wanted = new AtomicLong();

    SilenceWatch(Duration firstByte, Duration idle, Scheduler timers) {
        this.firstByteNanos = firstByte.toNanos();
        this.idleNanos = idle.toNanos();
        this.timers = timers;
    }

    /**
     * Notes that an event (a keep-alive comment counts) arrived now; once one carried part of the answer, the idle
     * limit applies in place of the first byte's. Events before the answer (a keep-alive, Azure's prompt filter
     * results, Anthropic's opening) keep the first byte's: a reasoning model's first token may take minutes after them.
     */
    void heard(boolean answer) {
        lastHeard = System.nanoTime();
        if (answer && !heardAny) { // one volatile store per stream, not per event
            heardAny = true;
        }
    }

    /** The events of a stream, ended by a {@link TimeoutException} when the provider stays quiet too long. */
    <T> Flux<T> watch(Flux<T> events) {
        return events.doOnRequest(this::requested)
            .doOnNext(event -> delivered())
            .takeUntilOther(silence())
            .concatWith(Mono.defer(() -> expired ? Mono.error(new TimeoutException())
                    : stalled ? Mono.error(new ClientStalled(idleNanos)) : Mono.empty()));
    }

    private void requested(long n) {
        if (wanted.getAndAccumulate(n, Operators::addCap) == 0) {
            // Wanted again after a pause the client made: the provider's quiet counts from now.
            lastHeard = System.nanoTime();
        }
    }

    private void delivered() {
        long before = wanted.get();
        if (before == 1) {
            // Written before the count reaches zero, so a check that sees zero sees when it did.
            wantedNoneSince = System.nanoTime();
        }
        if (before != Long.MAX_VALUE) {
            wanted.decrementAndGet();
        }
    }

    /** Completes when the provider has been quiet too long; the clock starts on subscription. */
    private Mono<Void> silence() {
        return Mono.create(sink -> {
            lastHeard = System.nanoTime();
            Check check = new Check(sink);
            sink.onDispose(check);
            check.schedule(Math.min(firstByteNanos, idleNanos));
        });
    }

    /** The client stopped reading for the idle limit: its stream ends, and the provider is not to blame. */
    static final class ClientStalled extends ApiException {

        ClientStalled(long idleNanos) {
            super(HttpStatus.REQUEST_TIMEOUT, "invalid_request_error", "client_stalled", "The client read nothing of "
                    + "the stream for " + TimeUnit.NANOSECONDS.toSeconds(idleNanos) + " s; the stream was ended.");
        }
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
            // Demand first: a client reading on between the two reads would otherwise pair a pause's old lastHeard
            // with its new demand.
            boolean nothingWanted = wanted.get() == 0;
            boolean waitingForFirst = !heardAny;
            long limit = waitingForFirst ? firstByteNanos : idleNanos;
            long now = System.nanoTime();
            long quiet = now - lastHeard;
            if (nothingWanted) {
                // Nothing is wanted, so nothing is late; but a client that wants nothing for the idle limit is gone.
                long idle = now - Math.max(wantedNoneSince, lastHeard);
                if (idle >= idleNanos) {
                    stalled = true;
                    sink.success();
                }
                else {
                    schedule(idleNanos - idle);
                }
            }
            else if (quiet >= limit) {
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
