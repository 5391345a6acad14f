package dev.tollgate.bench;

import java.time.Duration;

import org.jspecify.annotations.Nullable;

/**
 * One path's slices of a scenario, added up: its calls, and what its process spent on them (CPU, its JIT compiler's
 * share, its database's, its threads' context switches, and for a JVM the bytes its threads allocated). The direct
 * path has no process of ours.
 */
final class PathTotals {

    private final @Nullable ProcessMeter meter;
    private final @Nullable AllocationMeter allocation;
    private Load.@Nullable Measured measured;
    private long cpuNanos;
    private long databaseNanos;
    private long compilerNanos;
    private long allocatedBytes;
    private ProcessMeter.Switches switches = new ProcessMeter.Switches(0, 0);

    PathTotals(@Nullable ProcessMeter meter, @Nullable AllocationMeter allocation) {
        this.meter = meter;
        this.allocation = allocation;
    }

    /**
     * Runs one slice against {@code target} and adds it up. {@code settle} is waited after the load and still counted:
     * what the calls left to do once answered (Tollgate writes their usage a moment later).
     */
    void run(Scenario slice, LoadClient client, Target target, Duration settle) throws InterruptedException {
        ProcessMeter.Cpu before = meter != null ? meter.cpu() : null;
        long compilerBefore = meter != null ? meter.compilerNanos() : 0;
        ProcessMeter.Switches switchesBefore = meter != null ? meter.switches() : null;
        AllocationMeter.Snapshot allocatedBefore = allocation != null ? allocation.snapshot() : null;
        Load.Measured run = slice.run(client, target);
        Thread.sleep(settle.toMillis());
        if (meter != null) {
            ProcessMeter.Cpu used = meter.cpu().minus(before);
            cpuNanos += used.tollgateNanos();
            databaseNanos += used.databaseNanos();
            compilerNanos += meter.compilerNanos() - compilerBefore;
            ProcessMeter.Switches switched = meter.switches().minus(switchesBefore);
            switches = new ProcessMeter.Switches(switches.voluntary() + switched.voluntary(),
                    switches.involuntary() + switched.involuntary());
        }
        if (allocation != null) {
            allocatedBytes += allocation.snapshot().since(allocatedBefore);
        }
        measured = measured == null ? run : measured.plus(run);
    }

    Load.Measured measured() {
        if (measured == null) {
            throw new IllegalStateException("No slice has run");
        }
        return measured;
    }

    double cpuMicrosPerCall() {
        return perCall(cpuNanos / 1000.0);
    }

    double databaseMicrosPerCall() {
        return perCall(databaseNanos / 1000.0);
    }

    double compilerMicrosPerCall() {
        return perCall(compilerNanos / 1000.0);
    }

    Result.Switches switchesPerCall() {
        return new Result.Switches(perCall(switches.voluntary()), perCall(switches.involuntary()));
    }

    /** NaN when the JVM's allocation could not be read. */
    double allocatedKiBPerCall() {
        return allocation != null ? perCall(allocatedBytes / 1024.0) : Double.NaN;
    }

    private double perCall(double total) {
        return total / Math.max(1, measured().calls());
    }
}
