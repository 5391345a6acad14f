package dev.tollgate.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a process costs, read from /proc (Linux): CPU time (user + system) of the Tollgate JVM and, apart, of its
 * embedded PostgreSQL (the server started on Tollgate's data folder and its backends: pg_ctl detaches it from the JVM),
 * its threads' context switches, and the JVM's resident memory sampled every 100 ms while a scenario runs.
 */
final class ProcessMeter {

    /** USER_HZ: the unit of utime and stime in /proc/[pid]/stat; 100 on every Linux the JDK runs on. */
    private static final long TICK_NANOS = 10_000_000L;

    private final long pid;

    private final String databaseDir;

    /** {@code databaseDir} null: a process without a database of its own (the bare hop). */
    ProcessMeter(long pid, String databaseDir) {
        this.pid = pid;
        this.databaseDir = databaseDir;
    }

    record Cpu(long tollgateNanos, long databaseNanos) {

        Cpu minus(Cpu earlier) {
            return new Cpu(tollgateNanos - earlier.tollgateNanos, databaseNanos - earlier.databaseNanos);
        }
    }

    Cpu cpu() {
        if (databaseDir == null) {
            return new Cpu(cpuNanos(pid), 0);
        }
        long database = ProcessHandle.allProcesses()
                .filter(process -> process.info().commandLine().orElse("").contains(databaseDir))
                .flatMap(server -> java.util.stream.Stream.concat(java.util.stream.Stream.of(server), server.descendants()))
                .mapToLong(process -> cpuNanos(process.pid()))
                .sum();
        return new Cpu(cpuNanos(pid), database);
    }

    /**
     * Context switches of the process's threads, added up: {@code voluntary} when a thread waited (for work, a lock, a
     * timer) and had to be woken again, {@code involuntary} when the kernel took the core from a thread that could have
     * gone on. Per call, they say how often a call wakes a thread and how often other work cut into it. A thread that
     * ends between two readings takes its count with it (Tollgate's event loops live as long as the process).
     */
    record Switches(long voluntary, long involuntary) {

        Switches minus(Switches earlier) {
            return new Switches(voluntary - earlier.voluntary, involuntary - earlier.involuntary);
        }
    }

    Switches switches() {
        long voluntary = 0;
        long involuntary = 0;
        try (var threads = Files.list(Path.of("/proc", Long.toString(pid), "task"))) {
            for (Path task : (Iterable<Path>) threads::iterator) {
                try {
                    for (String line : Files.readAllLines(task.resolve("status"))) {
                        if (line.startsWith("voluntary_ctxt_switches:")) {
                            voluntary += Long.parseLong(line.replaceAll("\\D", ""));
                        }
                        else if (line.startsWith("nonvoluntary_ctxt_switches:")) {
                            involuntary += Long.parseLong(line.replaceAll("\\D", ""));
                        }
                    }
                }
                catch (IOException gone) {
                    // the thread has ended
                }
            }
        }
        catch (IOException gone) {
            // the process has ended
        }
        return new Switches(voluntary, involuntary);
    }

    /** CPU time of the JIT compiler threads: while it grows fast, the code being measured is not yet compiled. */
    long compilerNanos() {
        try (var threads = Files.list(Path.of("/proc", Long.toString(pid), "task"))) {
            return threads.filter(task -> {
                try {
                    return Files.readString(task.resolve("comm")).contains("CompilerThre");
                }
                catch (IOException gone) {
                    return false;
                }
            }).mapToLong(task -> cpuNanos(task.resolve("stat"))).sum();
        }
        catch (IOException gone) {
            return 0;
        }
    }

    long rssBytes() {
        return rssBytes(pid);
    }

    /**
     * The objects still reachable, by class (jcmd GC.class_histogram, which collects first): its total is the heap the
     * calls in flight really hold, without the garbage and the headroom that make up most of the RSS of a JVM given a
     * large heap. Empty when jcmd cannot attach.
     */
    String heapHistogram() {
        try {
            return jcmd("GC.class_histogram");
        }
        catch (IOException | InterruptedException failed) {
            return "";
        }
    }

    /** The "Total" line of a class histogram, in bytes; -1 without one. */
    static long liveBytes(String histogram) {
        Matcher total = Pattern.compile("(?m)^Total\\s+\\d+\\s+(\\d+)")
                .matcher(histogram);
        return total.find() ? Long.parseLong(total.group(1)) : -1;
    }

    /** Runs a jcmd command against Tollgate's JVM and returns what it printed. */
    String jcmd(String... command) throws IOException, InterruptedException {
        List<String> line = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(), Long.toString(pid)));
        line.addAll(List.of(command));
        Process jcmd = new ProcessBuilder(line).redirectErrorStream(true).start();
        String output = new String(jcmd.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        jcmd.waitFor();
        return output;
    }

    /** Samples resident memory until closed; the samples form the memory timeline of a scenario. */
    Sampler sample() {
        return new Sampler();
    }

    final class Sampler implements AutoCloseable {

        private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();

        private final List<long[]> samples = new ArrayList<>();

        private final long start = System.nanoTime();

        private Sampler() {
            timer.scheduleAtFixedRate(this::take, 0, 100, TimeUnit.MILLISECONDS);
        }

        private synchronized void take() {
            samples.add(new long[] {(System.nanoTime() - start) / 1_000_000, rssBytes()});
        }

        /** [milliseconds since the start, RSS bytes] pairs. */
        synchronized List<long[]> samples() {
            return List.copyOf(samples);
        }

        long maxRss() {
            return samples().stream().mapToLong(sample -> sample[1]).max().orElse(0);
        }

        @Override
        public void close() throws InterruptedException {
            timer.shutdown();
            timer.awaitTermination(1, TimeUnit.SECONDS);
            take();
        }
    }

    private static long cpuNanos(long pid) {
        return cpuNanos(Path.of("/proc", Long.toString(pid), "stat"));
    }

    private static long cpuNanos(Path statFile) {
        try {
            String stat = Files.readString(statFile);
            // The command name (field 2) may hold spaces; the fields after its closing parenthesis start at field 3.
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) * TICK_NANOS;
        }
        catch (IOException | RuntimeException gone) {
            return 0;
        }
    }

    private static long rssBytes(long pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("\\D", "")) * 1024;
                }
            }
        }
        catch (IOException gone) {
            // the process has ended
        }
        return 0;
    }
}
