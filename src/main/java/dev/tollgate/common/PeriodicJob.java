package dev.tollgate.common;

import java.time.Duration;
import java.util.function.Supplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * A background round run every interval while the application runs, one round at a time (a slow round delays the
 * next instead of overlapping it); a failed round is logged and the next one tries again.
 */
public final class PeriodicJob implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(PeriodicJob.class);

    private final String name;
    private final Duration interval;
    private final Supplier<Mono<?>> round;
    private volatile Disposable ticker = Flux.never().subscribe();
    private volatile boolean running;

    public PeriodicJob(String name, Duration interval, Supplier<Mono<?>> round) {
        this.name = name;
        this.interval = interval;
        this.round = round;
    }

    @Override
    public void start() {
        ticker = Flux.interval(interval, Schedulers.parallel())
            .onBackpressureDrop()
            .concatMap(tick -> Mono.defer(round).onErrorResume(error -> {
                log.warn("{} failed: {}", name, error.toString());
                return Mono.empty();
            }), 0)
            .subscribe();
        running = true;
    }

    @Override
    public void stop() {
        ticker.dispose();
        running = false;
    }

    @Override
    public boolean isRunning() {
        return running;
    }

}
