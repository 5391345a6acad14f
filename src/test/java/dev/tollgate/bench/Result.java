package dev.tollgate.bench;

import java.util.List;

import org.HdrHistogram.Histogram;
import org.jspecify.annotations.Nullable;

/**
 * A scenario's numbers, both paths, in the units the report prints (milliseconds, microseconds, MiB).
 *
 * @param compilerCpuMicrosPerCall the part of {@code tollgateCpuMicrosPerCall} Tollgate's JIT compiler threads spent:
 *        compiling, not serving, and different from one run to the next
 * @param allocatedKiBPerCall what Tollgate's threads allocated per call ({@link AllocationMeter}); NaN when it could
 *        not be read
 * @param switchesPerCall the context switches of Tollgate's threads per call ({@link ProcessMeter.Switches})
 */
record Result(Scenario scenario, Side direct, Side tollgate, double tollgateCpuMicrosPerCall,
        double compilerCpuMicrosPerCall, double databaseCpuMicrosPerCall, double allocatedKiBPerCall,
        Switches switchesPerCall, double maxRssMiB, List<long[]> rssTimeline, double[] liveHeapMiB,
        List<Reference> references) {

    /**
     * The same load through a reference hop ({@link BareHop}, {@link NginxHopProcess}), with its own CPU, allocation
     * and context switches per call ({@code allocatedKiBPerCall} NaN where it cannot be read: nginx is not a JVM).
     */
    record Reference(String name, Side side, double cpuMicrosPerCall, double allocatedKiBPerCall,
            Switches switchesPerCall) {
    }

    /** Per call: the times a thread waited and was woken again, and the times another process took its core. */
    record Switches(double voluntary, double involuntary) {
    }

    static final double[] PERCENTILES = {50, 90, 99, 99.9, 100};

    /**
     * Latency and time to first byte of one path, at {@link #PERCENTILES}, and how the machine stalled during its run
     * (null unless {@code -Dbench.stallMeter=true}).
     */
    record Side(double[] latencyMs, double[] firstByteMs, double throughput, long calls, long errors,
            java.util.Map<String, Long> failures, List<double[]> latencyByPercentile,
            StallMeter.@Nullable Stalls stalls) {

        static Side of(Load.Measured measured) {
            return new Side(at(measured.latency()), at(measured.firstByte()), measured.throughput(), measured.calls(),
                    measured.errors(), measured.failures(), curve(measured.latency()), measured.stalls());
        }

        private static double[] at(Histogram histogram) {
            double[] values = new double[PERCENTILES.length];
            for (int i = 0; i < values.length; i++) {
                values[i] = histogram.getValueAtPercentile(PERCENTILES[i]) / 1000.0;
            }
            return values;
        }

        /** The latency distribution for the plot: [percentile, milliseconds] from the median to the maximum. */
        private static List<double[]> curve(Histogram histogram) {
            double[] percentiles = {0, 25, 50, 75, 90, 95, 99, 99.5, 99.9, 99.95, 99.99, 100};
            return java.util.Arrays.stream(percentiles)
                    .mapToObj(p -> new double[] {p, histogram.getValueAtPercentile(p) / 1000.0})
                    .toList();
        }
    }

    /** Tollgate minus direct, percentile by percentile. */
    double[] addedLatencyMs() {
        return minus(tollgate.latencyMs(), direct.latencyMs());
    }

    /** What a reference hop added, percentile by percentile. */
    double[] addedLatencyMs(Reference reference) {
        return minus(reference.side().latencyMs(), direct.latencyMs());
    }

    double[] addedFirstByteMs(Reference reference) {
        return minus(reference.side().firstByteMs(), direct.firstByteMs());
    }

    double[] addedFirstByteMs() {
        return minus(tollgate.firstByteMs(), direct.firstByteMs());
    }

    private static double[] minus(double[] a, double[] b) {
        double[] difference = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            difference[i] = a[i] - b[i];
        }
        return difference;
    }
}
