package dev.tollgate.proxy;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

/** What Tollgate itself adds to each call, and how many streams it is relaying right now. */
final class ProxyMetrics {

    private final Timer overhead;
    private final AtomicInteger activeStreams = new AtomicInteger();

    ProxyMetrics(MeterRegistry registry) {
        this.overhead = Timer.builder("tollgate.overhead")
            .description("Time Tollgate adds to a call: before the provider is called and after it answered")
            .serviceLevelObjectives(Duration.ofNanos(250_000), Duration.ofMillis(1), Duration.ofMillis(2),
                    Duration.ofMillis(5), Duration.ofMillis(10), Duration.ofMillis(50), Duration.ofMillis(250))
            .register(registry);
        Gauge.builder("tollgate.streams.active", activeStreams, AtomicInteger::get)
            .description("Streams being relayed")
            .register(registry);
    }

    void overhead(long nanos) {
        overhead.record(nanos, TimeUnit.NANOSECONDS);
    }

    void streamStarted() {
        activeStreams.incrementAndGet();
    }

    void streamEnded() {
        activeStreams.decrementAndGet();
    }

}
