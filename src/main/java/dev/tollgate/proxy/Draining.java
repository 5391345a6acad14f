package dev.tollgate.proxy;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;

import org.springframework.context.SmartLifecycle;
import org.springframework.http.HttpStatus;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

import dev.tollgate.common.ApiException;

/**
 * The start of a shutdown, as streams see it. It stops before the web server's graceful shutdown (a higher phase), so
 * streams in flight learn at once that the process is going away; they may go on for the grace period, after which
 * each one still running ends with a final error event telling its client to retry, and the graceful shutdown can
 * complete with every hold settled and every usage record written.
 */
final class Draining implements SmartLifecycle {

    private final Duration gracePeriod;
    private final Sinks.Empty<Void> started = Sinks.empty();
    private final Mono<Void> deadline;
    private volatile boolean running;

    Draining(Duration gracePeriod) {
        this.gracePeriod = gracePeriod;
        this.deadline = started.asMono().then(Mono.delay(gracePeriod)).then().cache();
    }

    /** Completes when streams must stop: the grace period after the shutdown began. */
    Mono<Void> deadline() {
        return deadline;
    }

    /**
     * The stream as it should reach a client: whole, unless a shutdown's grace period runs out first, in which case
     * the provider is let go and the stream fails with {@link #error()} (a final error event, the delivered part
     * billed).
     */
    <T> Flux<T> cut(Flux<T> stream) {
        AtomicBoolean cut = new AtomicBoolean();
        return stream.takeUntilOther(deadline.doOnSuccess(done -> cut.set(true)))
            .concatWith(Mono.defer(() -> cut.get() ? Mono.error(error()) : Mono.empty()));
    }

    ApiException error() {
        return new ApiException(HttpStatus.SERVICE_UNAVAILABLE, "server_error", "server_shutting_down",
                "This Tollgate instance is shutting down; the stream was ended after " + gracePeriod.toSeconds()
                        + " s of grace. Retry the request.");
    }

    @Override
    public void start() {
        running = true;
    }

    @Override
    public void stop(Runnable callback) {
        running = false;
        started.tryEmitEmpty();
        callback.run();
    }

    @Override
    public void stop() {
        stop(() -> { });
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    /** Above the web server's graceful-shutdown phase, so it stops (signals) first. */
    @Override
    public int getPhase() {
        return Integer.MAX_VALUE - 512;
    }

}
