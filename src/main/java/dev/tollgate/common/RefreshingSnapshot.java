package dev.tollgate.common;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;

/**
 * An immutable value read from the database and held in memory, replaced whole by {@link #refresh()}. Readers on
 * the hot path get the current value without I/O; only the very first reads wait for the first load.
 */
public final class RefreshingSnapshot<T> {

    private static final Logger log = LoggerFactory.getLogger(RefreshingSnapshot.class);

    private final String what;
    private final Supplier<Mono<T>> loader;
    private final AtomicReference<T> current = new AtomicReference<>();
    private final Mono<T> firstLoad;

    public RefreshingSnapshot(String what, Supplier<Mono<T>> loader) {
        this.what = what;
        this.loader = loader;
        this.firstLoad = Mono.defer(this::load).cache(value -> Duration.ofDays(36500), error -> Duration.ZERO,
                () -> Duration.ZERO);
    }

    public Mono<T> get() {
        T value = current.get();
        return value != null ? Mono.just(value) : firstLoad;
    }

    /** Re-reads the value in the background; a failure keeps the previous value and is logged. */
    public void refresh() {
        load().subscribe(fresh -> { }, error -> log.warn("Could not refresh {}: {}", what, error.toString()));
    }

    /** Re-reads the value and completes when the new one is in place. */
    public Mono<T> reload() {
        return load();
    }

    private Mono<T> load() {
        return loader.get().doOnNext(current::set);
    }

}
