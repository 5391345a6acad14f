package dev.tollgate.common;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.function.Supplier;

import org.jspecify.annotations.Nullable;
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
    private final AtomicReference<@Nullable Loaded<T>> current = new AtomicReference<>();
    /** Numbers the loads in the order they start: see {@link #load()}. */
    private final AtomicLong loads = new AtomicLong();
    private final Mono<T> firstLoad;

    public RefreshingSnapshot(String what, Supplier<Mono<T>> loader) {
        this.what = what;
        this.loader = loader;
        this.firstLoad = Mono.defer(this::load).cache(value -> Duration.ofDays(36500), error -> Duration.ZERO,
                () -> Duration.ZERO);
    }

    public Mono<T> get() {
        Loaded<T> loaded = current.get();
        return loaded != null ? Mono.just(loaded.value()) : firstLoad;
    }

    /** The value read last, or null before the first read: for a caller that cannot wait. */
    public @Nullable T current() {
        Loaded<T> loaded = current.get();
        return loaded == null ? null : loaded.value();
    }

    /** Whether a value has been read; from then on there always is one, {@link #map} and the like apply it at once. */
    public boolean isLoaded() {
        return current.get() != null;
    }

    /**
     * The function of the value. Once there is one, it is applied now and its result is a ready {@code Mono}
     * ({@code just}, {@code empty} for null, or {@code error} for what it threw), so that a call reading the snapshot
     * pays for no operator chain (every map and flatMap on {@link #get()} is one, subscribed to on every call); before
     * the first load it is applied when the load completes.
     */
    public <R> Mono<R> map(Function<? super T, ? extends @Nullable R> function) {
        return flatMap(value -> Mono.justOrEmpty(function.apply(value)));
    }

    /** As {@link #map}, for a function that answers with a {@code Mono} of its own. */
    public <R> Mono<R> flatMap(Function<? super T, ? extends Mono<R>> function) {
        Loaded<T> loaded = current.get();
        if (loaded == null) {
            return firstLoad.flatMap(function);
        }
        try {
            return function.apply(loaded.value());
        }
        catch (RuntimeException ex) {
            return Mono.error(ex);
        }
    }

    /** Re-reads the value in the background; a failure keeps the previous value and is logged. */
    public void refresh() {
        load().subscribe(fresh -> { }, error -> log.warn("Could not refresh {}: {}", what, error.toString()));
    }

    /** Re-reads the value and completes when the new one is in place. */
    public Mono<T> reload() {
        return load();
    }

    /**
     * A load's value replaces the current one only if the load started after the one that made it: a slow refresh
     * whose query ran before a change was committed, answering after the load that saw the change, would otherwise put
     * the old value back until the next refresh (a tenant's new guardrails, say, undone for ten seconds).
     */
    private Mono<T> load() {
        return Mono.defer(() -> {
            long number = loads.incrementAndGet();
            return loader.get().doOnNext(value -> current.accumulateAndGet(new Loaded<>(value, number),
                    (old, fresh) -> old == null || old.number() < fresh.number() ? fresh : old));
        });
    }

    private record Loaded<T>(T value, long number) {
    }

}
