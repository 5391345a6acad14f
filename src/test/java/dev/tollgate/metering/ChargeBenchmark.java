package dev.tollgate.metering;

import java.time.OffsetDateTime;
import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;

import dev.tollgate.provider.TokenUsage;

/**
 * Pricing a call's usage: the exact catalog cost in pico-dollars, then the tenant's charge with markup, rounded up
 * to the micro-dollar (README "Benchmarks", microbenchmarks). Done at least twice a call (the hold, the charge).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class ChargeBenchmark {

    private final PriceQuote quote = new PriceQuote(new ModelPrice(1, "openai/gpt-4o-mini", 150_000, 600_000, 75_000L,
            null, null, OffsetDateTime.parse("2026-01-01T00:00:00Z")), 55_000);

    private final TokenUsage usage = new TokenUsage(1_234, 567, 1_024, 0, 0);

    @Benchmark
    public long chargeMicros() {
        return quote.chargeMicros(usage);
    }

}
