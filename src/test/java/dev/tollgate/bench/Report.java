package dev.tollgate.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.jspecify.annotations.Nullable;
import tools.jackson.databind.json.JsonMapper;

/**
 * Writes the results: a Markdown report with the targets of issue 8 checked, the same numbers as JSON, and two SVG
 * plots (latency by percentile per scenario, Tollgate's resident memory during the long streams).
 */
final class Report {

    private static final String[] PERCENTILE_NAMES = {"p50", "p90", "p99", "p99.9", "max"};

    private final List<Result> results;

    private final List<String> jvmFlags;

    private final Duration duration;

    private final double idleCores;

    private final boolean compiled;

    private final int slices;

    Report(List<Result> results, List<String> jvmFlags, Duration duration, int slices, double idleCores,
            boolean compiled) {
        this.results = results;
        this.jvmFlags = jvmFlags;
        this.duration = duration;
        this.slices = slices;
        this.idleCores = idleCores;
        this.compiled = compiled;
    }

    static String summary(Result result) {
        double[] added = result.addedLatencyMs();
        String summary = String.format(Locale.ROOT, "bench:   added p50 %.3f ms, p99 %.3f ms; %.0f calls/s through "
                + "Tollgate (%.0f direct); errors %s/%s; Tollgate CPU %.0f us/call, PostgreSQL %.0f us/call; allocated "
                + "%.1f KiB/call; %s; RSS max %.0f MiB", added[0], added[2], result.tollgate().throughput(),
                result.direct().throughput(), result.direct().failures(), result.tollgate().failures(),
                result.tollgateCpuMicrosPerCall(), result.databaseCpuMicrosPerCall(), result.allocatedKiBPerCall(),
                switches(result.switchesPerCall()), result.maxRssMiB());
        if (result.direct().stalls() != null && result.tollgate().stalls() != null) {
            summary += String.format(Locale.ROOT, "; machine stalls ≥ 5 ms %d direct, %d through Tollgate",
                    result.direct().stalls().over5Ms(), result.tollgate().stalls().over5Ms());
        }
        StringBuilder lines = new StringBuilder(summary);
        for (Result.Reference reference : result.references()) {
            double[] hopAdded = result.addedLatencyMs(reference);
            lines.append(String.format(Locale.ROOT, "%nbench:   %s: added p50 %.3f ms, p99 %.3f ms; %.0f calls/s; errors %s; "
                    + "CPU %.0f us/call%s; %s", reference.name(), hopAdded[0], hopAdded[2],
                    reference.side().throughput(), reference.side().failures(), reference.cpuMicrosPerCall(),
                    Double.isNaN(reference.allocatedKiBPerCall()) ? ""
                            : String.format(Locale.ROOT, "; allocated %.1f KiB/call", reference.allocatedKiBPerCall()),
                    switches(reference.switchesPerCall())));
        }
        return lines.toString();
    }

    String markdown() {
        StringBuilder md = new StringBuilder();
        md.append("# Tollgate benchmark\n\n");
        md.append("Machine: ").append(machine()).append("  \n");
        md.append("Tollgate JVM: `").append(String.join(" ", jvmFlags)).append("`, Java ")
                .append(System.getProperty("java.version")).append("; each path measured ")
                .append(duration.toSeconds()).append(" s per scenario")
                .append(slices > 1 ? ", in " + slices + " slices taking turns with the other paths'" : "")
                .append("; load generator, upstream and Tollgate share the machine.  \n")
                .append(String.format(Locale.ROOT, "Idle, Tollgate uses %.1f%% of a core (timers, metrics, pollers); CPU "
                        + "per call below includes that share.  %n", idleCores * 100))
                .append("Bare hop: the same load through `BareHop`, the least a proxy on Tollgate's stack does (Reactor "
                        + "Netty relaying bytes, a connection pool per event loop, no Spring, no parsing, no accounting), in "
                        + "a JVM with Tollgate's flags: the floor Tollgate starts from on this machine.  \n")
                .append("nginx hop (when nginx is installed): the same load through nginx (one process, keep-alive to the "
                        + "upstream, no buffering, no access log), the hop issue 8's CPU target was set against: how this "
                        + "machine compares with the one that target came from.\n\n");
        if (!compiled) {
            md.append("**Warm-up ended before the JIT compiler was done: these numbers include compiling.**\n\n");
        }
        md.append("## Targets\n\n| target | measured | met |\n|---|---|---|\n");
        for (String[] row : targets()) {
            md.append("| ").append(String.join(" | ", row)).append(" |\n");
        }
        for (Result result : results) {
            md.append("\n## ").append(result.scenario().title()).append("\n\n");
            md.append(result.scenario().open()
                    ? "Latency in ms, counted from when each call was due; "
                    : "Latency in ms, counted from when each call was sent; ");
            boolean stalls = result.direct().stalls() != null;
            md.append("first byte = time to the first byte of the answer (for streams, the first chunk)");
            md.append(stalls ? "; machine stalls = how often the load generator, asking to sleep 1 ms, woke 5 ms or "
                    + "more late during the run (the longest; all stalls of 1 ms or more added up): a call due then "
                    + "starts late on any path.\n\n" : ".\n\n");
            md.append("| path | p50 | p90 | p99 | p99.9 | max | first byte p50 | first byte p99 | calls/s | errors |")
                    .append(stalls ? " machine stalls ≥ 5 ms |\n" : "\n");
            md.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|").append(stalls ? "---:|\n" : "\n");
            row(md, "direct", result.direct().latencyMs(), result.direct().firstByteMs(), result.direct(), stalls);
            row(md, "Tollgate", result.tollgate().latencyMs(), result.tollgate().firstByteMs(), result.tollgate(),
                    stalls);
            row(md, "**added**", result.addedLatencyMs(), result.addedFirstByteMs(), null, stalls);
            for (Result.Reference reference : result.references()) {
                Result.Side side = reference.side();
                row(md, reference.name(), side.latencyMs(), side.firstByteMs(), side, stalls);
                row(md, reference.name() + ", added", result.addedLatencyMs(reference), result.addedFirstByteMs(reference),
                        null, stalls);
            }
            md.append(String.format(Locale.ROOT, "%nTollgate CPU **%.0f µs per call** (%.0f of them its JIT compiler's; its "
                    + "PostgreSQL: %.0f µs per call); Tollgate RSS at most %.0f MiB.  %n", result.tollgateCpuMicrosPerCall(),
                    result.compilerCpuMicrosPerCall(), result.databaseCpuMicrosPerCall(), result.maxRssMiB()));
            md.append(String.format(Locale.ROOT, "Tollgate's allocation per call: %s; its threads' %s.  %n",
                    kib(result.allocatedKiBPerCall()), switches(result.switchesPerCall())));
            for (Result.Reference reference : result.references()) {
                md.append(String.format(Locale.ROOT, "CPU of the %s: %.0f µs per call%s; its threads' %s.  %n",
                        reference.name(), reference.cpuMicrosPerCall(), Double.isNaN(reference.allocatedKiBPerCall())
                                ? "" : ", allocated " + kib(reference.allocatedKiBPerCall()),
                        switches(reference.switchesPerCall())));
            }
        }
        return md.toString();
    }

    /** Context switches per call: a thread that waited and was woken again, and one another process cut into. */
    private static String switches(Result.Switches perCall) {
        return String.format(Locale.ROOT, "%.2f waits and %.2f preemptions per call", perCall.voluntary(),
                perCall.involuntary());
    }

    private static String kib(double kib) {
        return Double.isNaN(kib) ? "(not measured)" : String.format(Locale.ROOT, "%.1f KiB", kib);
    }

    private static void row(StringBuilder md, String name, double[] latency, double[] firstByte,
            Result.@Nullable Side side, boolean stalls) {
        md.append("| ").append(name);
        for (double value : latency) {
            md.append(String.format(Locale.ROOT, " | %.3f", value));
        }
        md.append(String.format(Locale.ROOT, " | %.3f | %.3f", firstByte[0], firstByte[2]));
        if (side == null) {
            md.append(stalls ? " | | | |\n" : " | | |\n");
        }
        else {
            md.append(String.format(Locale.ROOT, " | %.0f | %s |", side.throughput(),
                    side.errors() == 0 ? "0" : side.errors() + " " + side.failures()));
            md.append(stalls ? " " + stalls(side.stalls()) + " |\n" : "\n");
        }
    }

    private static String stallsDuring(Result r) {
        if (r.tollgate().stalls() == null || r.direct().stalls() == null) {
            return "";
        }
        return String.format(Locale.ROOT, "; the machine stalled ≥ 5 ms %d times during the run through Tollgate, %d "
                + "during the direct one", r.tollgate().stalls().over5Ms(), r.direct().stalls().over5Ms());
    }

    private static String stalls(StallMeter.Stalls stalls) {
        return String.format(Locale.ROOT, "%d (longest %.1f ms; %.0f ms lost)", stalls.over5Ms(), stalls.longestMs(),
                stalls.lostMs());
    }

    private List<String[]> targets() {
        List<String[]> rows = new ArrayList<>();
        find("chat-500rps").ifPresent(r -> {
            double[] added = r.addedLatencyMs();
            rows.add(target("added latency p50 ≤ 1 ms at 500 requests/s", added[0], "ms", added[0] <= 1));
            rows.add(new String[] {"added latency p99 ≤ 5 ms at 500 requests/s",
                    String.format(Locale.ROOT, "%.2f ms (p99 %.2f ms through Tollgate, %.2f ms direct%s)", added[2],
                            r.tollgate().latencyMs()[2], r.direct().latencyMs()[2], stallsDuring(r)),
                    // Tails of two separate runs: a direct run with the worse tail says nothing about Tollgate.
                    added[2] < 0 ? "inconclusive (the direct run's tail was worse)" : added[2] <= 5 ? "yes" : "**no**"});
            rows.add(new String[] {"no errors at 500 requests/s", Long.toString(r.tollgate().errors()),
                    r.tollgate().errors() == 0 ? "yes" : "**no**"});
            String[] cpu = target("Tollgate CPU ≤ 250 µs per non-streaming call (500 requests/s)",
                    r.tollgateCpuMicrosPerCall(), "µs", r.tollgateCpuMicrosPerCall() <= 250);
            cpu[1] += String.format(Locale.ROOT, " (%.0f without the JIT compiler's", r.tollgateCpuMicrosPerCall()
                    - r.compilerCpuMicrosPerCall());
            for (Result.Reference reference : r.references()) {
                cpu[1] += String.format(Locale.ROOT, "; %s: %.0f µs", reference.name(), reference.cpuMicrosPerCall());
            }
            cpu[1] += ")";
            rows.add(cpu);
        });
        find("closed-loop").ifPresent(r -> rows.add(target("closed-loop throughput ≥ 4,000 requests/s",
                r.tollgate().throughput(), "requests/s", r.tollgate().throughput() >= 4000)));
        find("long-streams-500").ifPresent(r -> {
            rows.add(target("RSS < 512 MiB with 500 concurrent streams", r.maxRssMiB(), "MiB", r.maxRssMiB() < 512));
            double[] live = r.liveHeapMiB();
            if (live.length == 2 && live[0] > 0 && live[1] > 0) {
                rows.add(new String[] {"memory flat in the length of a stream (live heap after a full GC, a quarter and "
                        + "nine tenths through the streams)", String.format(Locale.ROOT, "%.0f → %.0f MiB", live[0], live[1]),
                        live[1] - live[0] <= Math.max(16, live[0] * 0.1) ? "yes" : "**no**"});
            }
        });
        return rows;
    }

    private static String[] target(String name, double value, String unit, boolean met) {
        return new String[] {name, String.format(Locale.ROOT, "%.2f %s", value, unit), met ? "yes" : "**no**"};
    }

    private java.util.Optional<Result> find(String id) {
        return results.stream().filter(result -> result.scenario().id().equals(id)).findFirst();
    }

    /** JSON has no NaN. */
    private static @Nullable Double orNull(double value) {
        return Double.isNaN(value) ? null : value;
    }

    String json() {
        List<Map<String, Object>> scenarios = new ArrayList<>();
        for (Result result : results) {
            Map<String, Object> scenario = new LinkedHashMap<>();
            scenario.put("id", result.scenario().id());
            scenario.put("title", result.scenario().title());
            scenario.put("direct", side(result.direct()));
            scenario.put("tollgate", side(result.tollgate()));
            scenario.put("addedLatencyMs", percentiles(result.addedLatencyMs()));
            scenario.put("addedFirstByteMs", percentiles(result.addedFirstByteMs()));
            scenario.put("tollgateCpuMicrosPerCall", result.tollgateCpuMicrosPerCall());
            scenario.put("compilerCpuMicrosPerCall", result.compilerCpuMicrosPerCall());
            scenario.put("databaseCpuMicrosPerCall", result.databaseCpuMicrosPerCall());
            scenario.put("allocatedKiBPerCall", orNull(result.allocatedKiBPerCall()));
            scenario.put("contextSwitchesPerCall", result.switchesPerCall());
            scenario.put("maxRssMiB", result.maxRssMiB());
            scenario.put("liveHeapMiB", result.liveHeapMiB());
            scenario.put("references", result.references().stream().map(reference -> {
                Map<String, Object> json = new LinkedHashMap<>();
                json.put("name", reference.name());
                json.put("side", side(reference.side()));
                json.put("addedLatencyMs", percentiles(result.addedLatencyMs(reference)));
                json.put("cpuMicrosPerCall", reference.cpuMicrosPerCall());
                json.put("allocatedKiBPerCall", orNull(reference.allocatedKiBPerCall()));
                json.put("contextSwitchesPerCall", reference.switchesPerCall());
                return json;
            }).toList());
            scenario.put("rssTimeline", result.rssTimeline());
            scenarios.add(scenario);
        }
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("machine", machine());
        root.put("java", System.getProperty("java.version"));
        root.put("tollgateJvmFlags", jvmFlags);
        root.put("secondsPerRun", duration.toSeconds());
        root.put("slicesPerRun", slices);
        root.put("idleCores", idleCores);
        root.put("compiledBeforeMeasuring", compiled);
        root.put("targets", targets().stream().map(row -> Map.of("target", row[0], "measured", row[1],
                "met", row[2].replace("*", ""))).toList());
        root.put("scenarios", scenarios);
        return JsonMapper.builder().build().writerWithDefaultPrettyPrinter().writeValueAsString(root);
    }

    private static Map<String, Object> side(Result.Side side) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("latencyMs", percentiles(side.latencyMs()));
        json.put("firstByteMs", percentiles(side.firstByteMs()));
        json.put("callsPerSecond", side.throughput());
        json.put("calls", side.calls());
        json.put("errors", side.errors());
        json.put("failures", side.failures());
        if (side.stalls() != null) {
            json.put("machineStalls", side.stalls());
        }
        return json;
    }

    private static Map<String, Double> percentiles(double[] values) {
        Map<String, Double> named = new LinkedHashMap<>();
        for (int i = 0; i < values.length; i++) {
            named.put(PERCENTILE_NAMES[i], values[i]);
        }
        return named;
    }

    /**
     * Latency by percentile, one panel per scenario, direct in grey, Tollgate in blue, the bare hop in green and nginx in
     * orange, both axes logarithmic.
     */
    String latencySvg() {
        int columns = 2;
        int panelWidth = 460;
        int panelHeight = 260;
        int rows = (results.size() + columns - 1) / columns;
        Svg svg = new Svg(columns * panelWidth, rows * panelHeight + 30);
        svg.text(10, 20, "Latency by percentile (ms, log scale): direct = grey, through Tollgate = blue, bare hop = green, "
                + "nginx = orange",
                14, "start");
        for (int i = 0; i < results.size(); i++) {
            Result result = results.get(i);
            int left = (i % columns) * panelWidth + 50;
            int top = (i / columns) * panelHeight + 50;
            int width = panelWidth - 70;
            int height = panelHeight - 70;
            List<Result.Side> sides = new ArrayList<>(List.of(result.direct(), result.tollgate()));
            result.references().forEach(reference -> sides.add(reference.side()));
            double highest = sides.stream().mapToDouble(Report::last).max().orElse(1);
            double decades = Math.max(1, Math.ceil(Math.log10(Math.max(highest, 0.2) / 0.1)));
            svg.text(left, top - 8, result.scenario().title(), 11, "start");
            svg.rect(left, top, width, height);
            for (int decade = 0; decade <= decades; decade++) {
                double y = top + height - height * decade / decades;
                svg.line(left, y, left + width, y, "#ddd");
                svg.text(left - 4, y + 4, trim(0.1 * Math.pow(10, decade)), 10, "end");
            }
            String[] labels = {"0", "90", "99", "99.9", "99.99", "max"};
            for (int tick = 0; tick < labels.length; tick++) {
                double x = left + width * tick / 5.0;
                svg.line(x, top, x, top + height, "#eee");
                svg.text(x, top + height + 14, labels[tick], 10, "middle");
            }
            for (Result.Side side : sides) {
                List<double[]> points = new ArrayList<>();
                for (double[] point : side.latencyByPercentile()) {
                    double x = left + width * percentileX(point[0]) / 5.0;
                    double y = top + height - height * Math.log10(Math.max(point[1], 0.1) / 0.1) / decades;
                    points.add(new double[] {x, y});
                }
                svg.polyline(points, side == result.direct() ? "#888" : side == result.tollgate() ? "#1f6feb"
                        : colorOf(result.references().get(sides.indexOf(side) - 2).name()));
            }
        }
        return svg.toString();
    }

    private static String colorOf(String reference) {
        return reference.equals(Target.NGINX) ? "#d4711c" : "#2da44e";
    }

    private static double percentileX(double percentile) {
        return percentile >= 100 ? 5 : Math.min(4, -Math.log10(1 - percentile / 100));
    }

    private static double last(Result.Side side) {
        return side.latencyByPercentile().get(side.latencyByPercentile().size() - 1)[1];
    }

    /** Tollgate's resident memory during the concurrent long streams (or the last scenario run). */
    String memorySvg() {
        Result result = find("long-streams-500").orElse(results.get(results.size() - 1));
        List<long[]> timeline = result.rssTimeline();
        int width = 700;
        int height = 300;
        Svg svg = new Svg(width + 90, height + 80);
        svg.text(10, 20, "Tollgate RSS (MiB) during: " + result.scenario().title(), 14, "start");
        double seconds = Math.max(1, timeline.get(timeline.size() - 1)[0] / 1000.0);
        double mib = Math.max(64, timeline.stream().mapToLong(sample -> sample[1]).max().orElse(0) / 1048576.0 * 1.2);
        svg.rect(60, 40, width, height);
        for (int i = 0; i <= 4; i++) {
            double y = 40 + height - height * i / 4.0;
            svg.line(60, y, 60 + width, y, "#ddd");
            svg.text(56, y + 4, String.format(Locale.ROOT, "%.0f", mib * i / 4), 10, "end");
            double x = 60 + width * i / 4.0;
            svg.text(x, 40 + height + 14, String.format(Locale.ROOT, "%.0f s", seconds * i / 4), 10, "middle");
        }
        List<double[]> points = timeline.stream()
                .map(sample -> new double[] {60 + width * sample[0] / 1000.0 / seconds,
                        40 + height - height * sample[1] / 1048576.0 / mib})
                .toList();
        svg.polyline(points, "#1f6feb");
        return svg.toString();
    }

    private static String trim(double value) {
        return value < 1 ? String.format(Locale.ROOT, "%.1f", value) : String.format(Locale.ROOT, "%.0f", value);
    }

    private static String machine() {
        String cpu = "unknown CPU";
        try {
            cpu = Files.readAllLines(Path.of("/proc/cpuinfo")).stream()
                    .filter(line -> line.startsWith("model name"))
                    .map(line -> line.substring(line.indexOf(':') + 1).trim())
                    .findFirst().orElse(cpu);
        }
        catch (IOException unreadable) {
            // not Linux: leave the CPU unnamed
        }
        long memory = ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory
                .getOperatingSystemMXBean()).getTotalMemorySize();
        return String.format(Locale.ROOT, "%d cores (%s), %.0f GiB RAM, %s %s", Runtime.getRuntime().availableProcessors(),
                cpu, memory / 1073741824.0, System.getProperty("os.name"), System.getProperty("os.version"));
    }

    /** Just enough SVG for line charts. */
    private static final class Svg {

        private final StringBuilder body = new StringBuilder();

        private final int width;

        private final int height;

        Svg(int width, int height) {
            this.width = width;
            this.height = height;
        }

        void text(double x, double y, String text, int size, String anchor) {
            body.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"%d\" text-anchor=\"%s\">%s"
                    + "</text>%n", x, y, size, anchor, text.replace("&", "&amp;").replace("<", "&lt;")));
        }

        void rect(double x, double y, double w, double h) {
            body.append(String.format(Locale.ROOT, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" "
                    + "fill=\"none\" stroke=\"#999\"/>%n", x, y, w, h));
        }

        void line(double x1, double y1, double x2, double y2, String color) {
            body.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" "
                    + "stroke=\"%s\"/>%n", x1, y1, x2, y2, color));
        }

        void polyline(List<double[]> points, String color) {
            body.append("<polyline fill=\"none\" stroke-width=\"2\" stroke=\"").append(color).append("\" points=\"");
            for (double[] point : points) {
                body.append(String.format(Locale.ROOT, "%.1f,%.1f ", point[0], point[1]));
            }
            body.append("\"/>\n");
        }

        @Override
        public String toString() {
            return "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" + width + "\" height=\"" + height
                    + "\" font-family=\"sans-serif\">\n<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n" + body
                    + "</svg>\n";
        }
    }
}
