package dev.tollgate.bench;

import java.io.IOException;
import java.nio.file.Path;

/**
 * With {@code -Dbench.asyncProfiler=/path/to/libasyncProfiler.so}: async-profiler attached to Tollgate (through
 * jcmd, after the warm-up) for each scenario's slices through Tollgate only, paused while the other paths take
 * their turns, so the profile holds neither the JIT's warm-up nor Tollgate idling. Writes {@code <scenario>.html}
 * (a flame graph) and {@code <scenario>.collapsed} (one line per stack, for grep and scripts).
 * {@code -Dbench.asyncProfilerEvent=alloc} profiles allocation instead of CPU (default {@code cpu,interval=1ms}). The
 * library comes with the {@code tools.profiler:async-profiler} jar on Maven Central (README "Benchmarks").
 */
final class CpuProfiler {

    private final ProcessMeter meter;
    private final String library;

    private CpuProfiler(ProcessMeter meter, String library) {
        this.meter = meter;
        this.library = library;
    }

    /** Null when no library was given. */
    static CpuProfiler of(ProcessMeter meter) {
        String library = System.getProperty("bench.asyncProfiler", "");
        return library.isBlank() ? null : new CpuProfiler(meter, Path.of(library).toAbsolutePath().toString());
    }

    void start() throws IOException, InterruptedException {
        agent("start,event=" + System.getProperty("bench.asyncProfilerEvent", "cpu,interval=1ms"));
    }

    /** Stops sampling while the other paths take their turn; what was collected stays for {@link #resume}. */
    void pause() throws IOException, InterruptedException {
        agent("stop,file=/dev/null");
    }

    void resume() throws IOException, InterruptedException {
        agent("resume");
    }

    void stop(Path output, String name) throws IOException, InterruptedException {
        // total: nanoseconds (cpu) or bytes (alloc) per stack rather than samples, which weigh allocations unevenly.
        agent("dump,collapsed,total,file=" + output.resolve(name + ".collapsed").toAbsolutePath());
        agent("stop,flamegraph,file=" + output.resolve(name + ".html").toAbsolutePath());
    }

    private void agent(String options) throws IOException, InterruptedException {
        // Quoted: jcmd would otherwise read "start,event=cpu" as an argument's name and "cpu,..." as its value.
        String jcmdOutput = meter.jcmd("JVMTI.agent_load", library, '"' + options + '"');
        if (!jcmdOutput.contains("return code: 0")) {
            System.out.println("bench: async-profiler: " + jcmdOutput.strip());
        }
    }

}
