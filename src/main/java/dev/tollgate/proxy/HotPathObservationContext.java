package dev.tollgate.proxy;

import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import io.micrometer.common.KeyValue;
import io.micrometer.common.KeyValues;
import io.micrometer.observation.Observation;
import org.jspecify.annotations.Nullable;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.http.server.reactive.observation.ServerRequestObservationContext;

/**
 * WebFlux's server observation context that remembers the key values it was last asked for until one is added or
 * removed. Micrometer's keeps them in maps and sorts them into new {@link KeyValues} each time it is asked; when a
 * call's observation stops it is asked four times for the same, unchanged values (Boot's observation filter, the
 * timer's tags, and the span's, which merges low and high cardinality): about 1% of a call's CPU at 500 requests/s
 * (README "Benchmarks").
 *
 * <p>Every change goes through the {@code add} and {@code remove} methods overridden here (Micrometer's maps are
 * private), and each one moves {@link #version} on after it is made; a remembered answer is only given while the
 * version it was computed at is still current, so an answer computed while another thread changed the values is
 * never given again.
 */
final class HotPathObservationContext extends ServerRequestObservationContext {

    private final AtomicInteger version = new AtomicInteger();

    private volatile @Nullable Remembered low;

    private volatile @Nullable Remembered high;

    private volatile @Nullable Remembered all;

    private record Remembered(int version, KeyValues values) {
    }

    HotPathObservationContext(ServerHttpRequest request, ServerHttpResponse response, Map<String, Object> attributes) {
        super(request, response, attributes);
    }

    @Override
    public KeyValues getLowCardinalityKeyValues() {
        int current = version.get();
        Remembered remembered = low;
        if (!isCurrent(remembered, current)) {
            remembered = new Remembered(current, super.getLowCardinalityKeyValues());
            low = remembered;
        }
        return remembered.values();
    }

    @Override
    public KeyValues getHighCardinalityKeyValues() {
        int current = version.get();
        Remembered remembered = high;
        if (!isCurrent(remembered, current)) {
            remembered = new Remembered(current, super.getHighCardinalityKeyValues());
            high = remembered;
        }
        return remembered.values();
    }

    @Override
    public KeyValues getAllKeyValues() {
        int current = version.get();
        Remembered remembered = all;
        if (!isCurrent(remembered, current)) {
            remembered = new Remembered(current, getLowCardinalityKeyValues().and(getHighCardinalityKeyValues()));
            all = remembered;
        }
        return remembered.values();
    }

    private static boolean isCurrent(@Nullable Remembered remembered, int version) {
        return remembered != null && remembered.version() == version;
    }

    @Override
    public Observation.Context addLowCardinalityKeyValue(KeyValue keyValue) {
        return changed(super.addLowCardinalityKeyValue(keyValue));
    }

    @Override
    public Observation.Context addHighCardinalityKeyValue(KeyValue keyValue) {
        return changed(super.addHighCardinalityKeyValue(keyValue));
    }

    @Override
    public Observation.Context removeLowCardinalityKeyValue(String keyName) {
        return changed(super.removeLowCardinalityKeyValue(keyName));
    }

    @Override
    public Observation.Context removeHighCardinalityKeyValue(String keyName) {
        return changed(super.removeHighCardinalityKeyValue(keyName));
    }

    // The plural ones call the singular ones today; overridden too, so a Micrometer that stops doing so stays right.

    @Override
    public Observation.Context addLowCardinalityKeyValues(KeyValues keyValues) {
        return changed(super.addLowCardinalityKeyValues(keyValues));
    }

    @Override
    public Observation.Context addHighCardinalityKeyValues(KeyValues keyValues) {
        return changed(super.addHighCardinalityKeyValues(keyValues));
    }

    @Override
    public Observation.Context removeLowCardinalityKeyValues(String... keyNames) {
        return changed(super.removeLowCardinalityKeyValues(keyNames));
    }

    @Override
    public Observation.Context removeHighCardinalityKeyValues(String... keyNames) {
        return changed(super.removeHighCardinalityKeyValues(keyNames));
    }

    /**
     * Moves the version on after a change.
     *
     * @param changedBy what the change returned (this context): taking it makes the change come first
     */
    private Observation.Context changed(Observation.Context changedBy) {
        version.incrementAndGet();
        return this;
    }

}
