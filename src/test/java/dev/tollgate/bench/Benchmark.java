package dev.tollgate.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

import org.jspecify.annotations.Nullable;

/**
 * The benchmark ({@code ./mvnw -Pbench package}, README "Benchmarks"): starts the upstream, a packaged Tollgate and
 * the reference hops (the bare hop; nginx, when installed), warms the paths up, then runs each scenario against the
 * upstream directly, through Tollgate and through each reference, and writes
 * {@code target/bench/results.md}, {@code results.json} and {@code latency.svg}. Not a test: it asserts nothing and
 * its numbers depend on the machine; the report compares them with the targets of the README.
 *
 * <p>System properties: {@code bench.duration} (seconds per measured run, default 15), {@code bench.only} (scenario ids,
 * comma separated), {@code bench.profile} (true records a JFR profile of Tollgate into {@code tollgate.jfr}),
 * {@code bench.jvmArgs} (more flags for Tollgate's JVM and the bare hop's), {@code bench.bareHop} (false skips the
 * reference, {@link BareHop}), {@code bench.nginx} (the nginx measured as a second reference, {@link NginxHopProcess};
 * false skips it), {@code bench.upstreamLatencyMs}
 * (how long the upstream waits before answering, default 0), {@code bench.asyncProfiler} (see {@link CpuProfiler}).
 * Besides CPU, the report gives what Tollgate and the bare hop allocate per call ({@link AllocationMeter}): steadier than
 * CPU on a shared machine, so a change to the hot path shows in it run to run.
 */
public final class Benchmark {

    private Benchmark() {
    }

    public static void main(String[] args) throws Exception {
        Path jar = Path.of(args[0]);
        Path output = Files.createDirectories(Path.of(args[1]));
        Duration duration = Duration.ofSeconds(Long.getLong("bench.duration", 15));
        Set<String> only = Set.of(System.getProperty("bench.only", "").split(","));
        // A provider's own latency before it answers; 0 by default, so that Tollgate's share is as visible as can be.
        Duration upstreamLatency = Duration.ofMillis(Long.getLong("bench.upstreamLatencyMs", 0));
        List<String> userFlags = Arrays.stream(System.getProperty("bench.jvmArgs", "").split(" "))
                .filter(flag -> !flag.isBlank()).toList();
        List<String> jvmFlags = new ArrayList<>();
        if (Boolean.getBoolean("bench.profile")) {
            jvmFlags.add("-XX:StartFlightRecording=filename=" + output.resolve("tollgate.jfr") + ",settings=profile");
        }
        jvmFlags.addAll(userFlags);
        boolean reference = Boolean.parseBoolean(System.getProperty("bench.bareHop", "true"));
        // The paths take turns in slices, so that each meets the machine in the same moods: on a shared machine
        // what else runs changes from one minute to the next, and paths measured one after the other compare badly.
        int rounds = Math.max(1, Integer.getInteger("bench.rounds", 3));

        List<Scenario> scenarios = new ArrayList<>(List.of(
                Scenario.nonStreaming(200, duration),
                Scenario.nonStreaming(500, duration),
                Scenario.nonStreaming(1000, duration),
                // Before the streams: after 500 concurrent long streams the JIT recompiles for a while (new type
                // profiles), and the maximum measured then is the compiler's, not Tollgate's.
                Scenario.closedLoop(64, duration),
                Scenario.streaming(100, duration),
                Scenario.streaming(300, duration),
                Scenario.longStreams(500, 1000, Duration.ofMillis(20))));
        scenarios.removeIf(scenario -> !only.contains("") && !only.contains(scenario.id()));

        List<Result> results = new ArrayList<>();
        try (BenchUpstream upstream = new BenchUpstream();
                LoadClient client = new LoadClient();
                TollgateProcess tollgate = TollgateProcess.start(jar, upstream.baseUrl(), output, jvmFlags);
                BareHopProcess hop = reference ? BareHopProcess.start(upstream.baseUrl(), output, userFlags) : null;
                NginxHopProcess nginx = NginxHopProcess.binary()
                        .map(binary -> startNginx(binary, upstream.baseUrl(), output)).orElse(null)) {
            Target direct = Target.direct(upstream);
            Target proxied = Target.tollgate(tollgate);
            Target bare = hop != null ? Target.bareHop(hop) : null;
            ProcessMeter meter = new ProcessMeter(tollgate.pid(), tollgate.databaseDir());
            AllocationMeter allocation = AllocationMeter.attach(tollgate.pid());
            Map<Target, ProcessMeter> references = new LinkedHashMap<>();
            Map<Target, AllocationMeter> referenceAllocation = new LinkedHashMap<>();
            if (hop != null) {
                references.put(bare, new ProcessMeter(hop.pid(), null));
                referenceAllocation.put(bare, AllocationMeter.attach(hop.pid()));
            }
            if (nginx != null) {
                references.put(Target.nginx(nginx), new ProcessMeter(nginx.pid(), null));
            }
            boolean compiled = warmUp(upstream, client, direct, proxied, bare, meter);
            double idleCores = idleCores(meter);
            CpuProfiler profiler = CpuProfiler.of(meter);
            for (Scenario scenario : scenarios) {
                System.out.println("bench: " + scenario.title());
                upstream.shape(upstreamLatency, scenario.chunks(), scenario.chunkInterval());
                // The long streams are there for Tollgate's memory; the references say nothing about that.
                int parts = scenario.once() ? 1 : rounds;
                Scenario slice = scenario.slice(parts);
                PathTotals baseline = new PathTotals(null, null);
                PathTotals proxiedTotals = new PathTotals(meter, allocation);
                Map<Target, PathTotals> referenceTotals = new LinkedHashMap<>();
                if (!scenario.once()) {
                    references.forEach((target, hopMeter) -> referenceTotals.put(target,
                            new PathTotals(hopMeter, referenceAllocation.get(target))));
                }
                List<long[]> timeline = List.of();
                long maxRss = 0;
                List<Long> liveHeap = new CopyOnWriteArrayList<>();
                for (int part = 0; part < parts; part++) {
                    baseline.run(slice, client, direct, Duration.ZERO);
                    Thread.sleep(1000);
                    try (ProcessMeter.Sampler rss = meter.sample();
                            LiveHeapProbe probe = LiveHeapProbe.during(scenario, meter, liveHeap, output)) {
                        if (profiler != null && part == 0) {
                            profiler.start();
                        }
                        else if (profiler != null) {
                            profiler.resume();
                        }
                        // Usage is written a moment after the answer; its database work belongs to these calls.
                        proxiedTotals.run(slice, client, proxied, Duration.ofSeconds(1).dividedBy(parts));
                        if (profiler != null && part == parts - 1) {
                            profiler.stop(output, scenario.id());
                        }
                        else if (profiler != null) {
                            profiler.pause();
                        }
                        rss.close();
                        timeline = rss.samples();
                        maxRss = Math.max(maxRss, rss.maxRss());
                    }
                    for (Map.Entry<Target, PathTotals> turn : referenceTotals.entrySet()) {
                        Thread.sleep(1000);
                        turn.getValue().run(slice, client, turn.getKey(), Duration.ZERO);
                    }
                }
                List<Result.Reference> measuredReferences = new ArrayList<>();
                referenceTotals.forEach((target, totals) -> measuredReferences.add(new Result.Reference(target.name(),
                        Result.Side.of(totals.measured()), totals.cpuMicrosPerCall(), totals.allocatedKiBPerCall(),
                        totals.switchesPerCall())));
                Result result = new Result(scenario, Result.Side.of(baseline.measured()),
                        Result.Side.of(proxiedTotals.measured()), proxiedTotals.cpuMicrosPerCall(),
                        proxiedTotals.compilerMicrosPerCall(), proxiedTotals.databaseMicrosPerCall(),
                        proxiedTotals.allocatedKiBPerCall(), proxiedTotals.switchesPerCall(),
                        maxRss / 1024.0 / 1024.0, timeline,
                        liveHeap.stream().mapToDouble(bytes -> bytes / 1024.0 / 1024.0).toArray(), measuredReferences);
                results.add(result);
                System.out.println(Report.summary(result));
            }
            Report report = new Report(results, tollgate.jvmFlags(), duration, rounds, idleCores, compiled);
            Files.writeString(output.resolve("results.md"), report.markdown());
            Files.writeString(output.resolve("results.json"), report.json());
            Files.writeString(output.resolve("latency.svg"), report.latencySvg());
            Files.writeString(output.resolve("memory.svg"), report.memorySvg());
        }
        System.out.println("bench: results in " + output.toAbsolutePath() + " (results.md, results.json, latency.svg, "
                + "memory.svg)" + (Boolean.getBoolean("bench.profile") ? ", profile in tollgate.jfr" : ""));
        System.out.println(Files.readString(output.resolve("results.md")));
    }

    private static NginxHopProcess startNginx(Path binary, String upstream, Path output) {
        try {
            return NginxHopProcess.start(binary, upstream, output);
        }
        catch (IOException | InterruptedException | IllegalStateException failed) {
            // A reference, not the subject: the run goes on without it.
            System.out.println("bench: nginx did not start (" + failed.getMessage() + "); measuring without it");
            return null;
        }
    }

    /**
     * What Tollgate spends doing nothing (timers, metrics, the usage writer's polling), in cores: per call it weighs
     * more the fewer calls there are, so the report shows it apart.
     */
    private static double idleCores(ProcessMeter meter) throws InterruptedException {
        Thread.sleep(2000);
        ProcessMeter.Cpu before = meter.cpu();
        Thread.sleep(5000);
        double cores = meter.cpu().minus(before).tollgateNanos() / 5e9;
        System.out.printf(Locale.ROOT, "bench: idle Tollgate uses %.1f%% of a core%n", cores * 100);
        return cores;
    }

    /**
     * Runs both paths until Tollgate's JIT compiler has (nearly) nothing left to do: on two cores the C2 compiler needs
     * minutes for a Spring application, and numbers taken before that measure the compiler, not Tollgate. Gives up
     * after {@code bench.warmup} seconds (default 300) and says so: false then.
     */
    private static boolean warmUp(BenchUpstream upstream, LoadClient client, Target direct, Target proxied,
            Target bare, ProcessMeter meter) {
        Duration round = Duration.ofSeconds(10);
        long deadline = System.nanoTime() + Duration.ofSeconds(Long.getLong("bench.warmup", 300)).toNanos();
        int quietRounds = 0;
        for (int i = 1; ; i++) {
            long compilerBefore = meter.compilerNanos();
            boolean stream = i % 2 == 0;
            upstream.shape(Duration.ZERO, 20, Duration.ZERO);
            Load.closed(client, direct, stream, 32, Duration.ofSeconds(1));
            if (bare != null) {
                // Little code: a few seconds per round compile it long before Tollgate is done.
                Load.closed(client, bare, stream, 32, Duration.ofSeconds(2));
            }
            Load.Measured measured = Load.closed(client, proxied, stream, 32, round);
            double compiler = (meter.compilerNanos() - compilerBefore) / (double) round.plusSeconds(1).toNanos();
            System.out.printf(Locale.ROOT, "bench: warm-up round %d: %.0f calls/s, JIT compiler busy %.0f%% of a core%n",
                    i, measured.throughput(), compiler * 100);
            // Two quiet rounds in a row: C2 often has a last burst after a quiet one.
            quietRounds = compiler < 0.03 ? quietRounds + 1 : 0;
            if (i >= 2 && quietRounds >= 2) {
                return true;
            }
            if (System.nanoTime() > deadline) {
                System.out.println("bench: the JIT compiler is still busy; measuring anyway");
                return false;
            }
        }
    }
}
