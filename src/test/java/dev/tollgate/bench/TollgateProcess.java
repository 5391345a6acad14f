package dev.tollgate.bench;

import java.io.IOException;
import java.net.CookieManager;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Tollgate as an operator runs it: the packaged jar in a JVM of its own, with its embedded PostgreSQL in a fresh folder,
 * the OpenAI provider pointed at the benchmark's upstream, and a tenant with a key and plenty of prepaid credits. A
 * rate-limit plan is set (high enough never to refuse) so that limits are checked on every call as in production.
 */
final class TollgateProcess implements AutoCloseable {

    /** The heap a pod of the Helm chart gets: 75% (the image's MaxRAMPercentage) of its 1 GiB memory limit. */
    static final String HEAP = "-Xmx768m";

    /**
     * The collector the JVM picks by itself in that pod: with less than 1792 MiB of memory it does not count the
     * machine as a server and takes the serial collector, not G1 (JDK 17 in a 1 GiB memory cgroup prints
     * {@code UseSerialGC = true {ergonomic}} and a 768 MiB MaxHeapSize). This machine is larger, so it is named here;
     * a collector given in {@code bench.jvmArgs} replaces it.
     */
    static final String POD_COLLECTOR = "-XX:+UseSerialGC";

    private static final Pattern COLLECTOR_FLAG = Pattern.compile("-XX:\\+Use\\w+GC");

    private static final Pattern KEY = Pattern.compile("\"key\"\\s*:\\s*\"(sk-tg-[^\"]+)\"");

    private final Process process;

    private final int port;

    private final int managementPort;

    private final Path dataDir;

    private final List<String> jvmFlags;

    private String apiKey = "";

    private TollgateProcess(Process process, int port, int managementPort, Path dataDir, List<String> jvmFlags) {
        this.process = process;
        this.port = port;
        this.managementPort = managementPort;
        this.dataDir = dataDir;
        this.jvmFlags = jvmFlags;
    }

    static TollgateProcess start(Path jar, String upstreamBaseUrl, Path outputDir, List<String> extraJvmFlags)
            throws IOException, InterruptedException {
        int port = freePort();
        int managementPort = freePort();
        Path dataDir = Files.createTempDirectory("tollgate-bench-");
        List<String> jvmFlags = podJvmFlags(extraJvmFlags);
        List<String> command = new ArrayList<>();
        command.add(java());
        command.addAll(jvmFlags);
        command.addAll(List.of("-jar", jar.toString(),
                "--server.port=" + port,
                "--management.server.port=" + managementPort,
                "--tollgate.database.data-dir=" + dataDir,
                "--tollgate.providers.openai.base-url=" + upstreamBaseUrl + "/v1",
                "--tollgate.providers.openai.api-keys=sk-bench-upstream",
                "--tollgate.credits.signup-bonus-usd=1000000",
                "--tollgate.ratelimit.default-plan=bench",
                "--tollgate.ratelimit.plans.bench.requests-per-minute=100000000",
                "--tollgate.ratelimit.plans.bench.tokens-per-minute=100000000000"));
        Process process = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(outputDir.resolve("tollgate.log").toFile())
                .start();
        TollgateProcess tollgate = new TollgateProcess(process, port, managementPort, dataDir, jvmFlags);
        tollgate.awaitReady();
        tollgate.apiKey = tollgate.signUpAndCreateKey();
        return tollgate;
    }

    /** The flags of a JVM in the chart's pod (heap, collector), then the benchmark's own. */
    static List<String> podJvmFlags(List<String> extraJvmFlags) {
        List<String> jvmFlags = new ArrayList<>(List.of(HEAP, "-XX:+ExitOnOutOfMemoryError"));
        if (extraJvmFlags.stream().noneMatch(flag -> COLLECTOR_FLAG.matcher(flag).matches())) {
            jvmFlags.add(POD_COLLECTOR);
        }
        jvmFlags.addAll(extraJvmFlags);
        return jvmFlags;
    }

    /** The benchmark's own Java, which runs Tollgate and the bare hop too. */
    static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    long pid() {
        return process.pid();
    }

    /** The folder of the embedded PostgreSQL, which its server's command line names. */
    String databaseDir() {
        return dataDir.resolve("pgdata").toString();
    }

    String baseUrl() {
        return "http://127.0.0.1:" + port;
    }

    String apiKey() {
        return apiKey;
    }

    List<String> jvmFlags() {
        return jvmFlags;
    }

    private void awaitReady() throws InterruptedException {
        HttpClient http = HttpClient.newHttpClient();
        URI readiness = URI.create("http://127.0.0.1:" + managementPort + "/actuator/health/readiness");
        long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("Tollgate exited with " + process.exitValue() + ", see tollgate.log");
            }
            try {
                if (http.send(HttpRequest.newBuilder(readiness).build(), HttpResponse.BodyHandlers.discarding())
                        .statusCode() == 200) {
                    return;
                }
            }
            catch (IOException notYetListening) {
                // starting: the embedded PostgreSQL and the migrations come first
            }
            Thread.sleep(250);
        }
        throw new IllegalStateException("Tollgate did not become ready within 3 minutes, see tollgate.log");
    }

    /** The curl walk-through of the README: CSRF token, sign up (session cookie), create a key. */
    private String signUpAndCreateKey() throws IOException, InterruptedException {
        CookieManager cookies = new CookieManager();
        HttpClient http = HttpClient.newBuilder().cookieHandler(cookies).build();
        http.send(HttpRequest.newBuilder(URI.create(baseUrl() + "/api/auth/csrf")).build(),
                HttpResponse.BodyHandlers.discarding());
        String xsrf = cookies.getCookieStore().getCookies().stream()
                .filter(cookie -> cookie.getName().equals("XSRF-TOKEN"))
                .findFirst().orElseThrow().getValue();
        post(http, xsrf, "/api/auth/signup",
                "{\"email\":\"bench@example.com\",\"password\":\"benchmark password\",\"organization\":\"Bench\"}");
        String created = post(http, xsrf, "/api/keys", "{\"name\":\"bench\"}");
        Matcher key = KEY.matcher(created);
        if (!key.find()) {
            throw new IllegalStateException("no key in " + created);
        }
        return key.group(1);
    }

    private String post(HttpClient http, String xsrf, String path, String json) throws IOException, InterruptedException {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(baseUrl() + path))
                .header("Content-Type", "application/json")
                .header("X-XSRF-TOKEN", xsrf)
                .POST(HttpRequest.BodyPublishers.ofString(json))
                .build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() / 100 != 2) {
            throw new IllegalStateException(path + " answered " + response.statusCode() + ": " + response.body());
        }
        return response.body();
    }

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    @Override
    public void close() throws InterruptedException, IOException {
        process.destroy();
        if (!process.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
        }
        try (var files = Files.walk(dataDir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        }
    }
}
