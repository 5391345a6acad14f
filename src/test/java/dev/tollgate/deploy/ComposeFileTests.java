package dev.tollgate.deploy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

import static dev.tollgate.deploy.RenderedChart.at;
import static dev.tollgate.deploy.RenderedChart.itemsAt;
import static dev.tollgate.deploy.RenderedChart.mapAt;
import static dev.tollgate.deploy.RenderedChart.stringAt;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code docker-compose.yml} as {@code docker-compose config} resolves it (validated and interpolated by Compose
 * itself; no Docker engine needed), and the nginx configuration it mounts. CI installs Debian's docker-compose
 * (see {@code .ci/run}); elsewhere these tests are skipped when it is missing.
 */
class ComposeFileTests {

    // Variables the compose file reads from the shell; cleared so that the defaults are what is tested.
    private static final List<String> COMPOSE_VARIABLES = List.of("POSTGRES_PASSWORD", "OPENAI_API_KEYS",
            "MISTRAL_API_KEYS", "LOGGING_STRUCTURED_FORMAT_CONSOLE", "TOLLGATE_HTTP_PORT", "COMPOSE_FILE",
            "COMPOSE_PROJECT_NAME", "COMPOSE_PROFILES");

    private static Map<String, Object> compose;

    @BeforeAll
    static void resolveTheComposeFile() throws Exception {
        compose = config(Map.of());
    }

    @Test
    void theStackIsPostgresqlRedisTollgateAndAReverseProxy() {
        assertThat(mapAt(compose, "services")).containsOnlyKeys("postgres", "redis", "tollgate", "proxy");
        assertThat(stringAt(compose, "services.postgres.image")).startsWith("postgres:17");
        assertThat(stringAt(compose, "services.redis.image")).startsWith("redis:7");
        assertThat(mapAt(compose, "services.tollgate.build")).containsKey("context");
    }

    @Test
    void everyServiceHasAHealthCheck() {
        mapAt(compose, "services").forEach((name, service) ->
                assertThat(itemsAt(service, "healthcheck.test")).as(name).isNotEmpty());
        assertThat(itemsAt(compose, "services.postgres.healthcheck.test")).anyMatch(part -> part.toString()
            .contains("pg_isready"));
        assertThat(itemsAt(compose, "services.redis.healthcheck.test")).containsExactly("CMD", "redis-cli", "ping");
    }

    @Test
    void tollgateIsHealthyWhenReadinessOnTheManagementPortAnswers() {
        List<Object> test = itemsAt(compose, "services.tollgate.healthcheck.test");

        // curl, not wget: the eclipse-temurin Ubuntu image the Dockerfile runs on has curl (DockerfileTests).
        assertThat(test).startsWith("CMD", "curl", "-fsS")
            .last().isEqualTo("http://localhost:8081/actuator/health/readiness");
        assertThat(DockerfileTests.runtimeBaseImage()).matches("eclipse-temurin:17-jre-(noble|jammy)");
    }

    @Test
    void tollgatePublishesNoPortSoThatItScalesBehindTheProxy() {
        Map<String, Object> tollgate = mapAt(compose, "services.tollgate");

        assertThat(tollgate).doesNotContainKeys("ports", "container_name", "hostname");
        assertThat(itemsAt(compose, "services.proxy.ports")).singleElement().satisfies(port -> {
            assertThat(at(port, "target")).isEqualTo(8080);
            assertThat(at(port, "published")).isEqualTo(8080);
        });
    }

    @Test
    void servicesStartInOrderOfHealth() {
        assertThat(stringAt(compose, "services.tollgate.depends_on.postgres.condition")).isEqualTo("service_healthy");
        assertThat(stringAt(compose, "services.tollgate.depends_on.redis.condition")).isEqualTo("service_healthy");
        assertThat(stringAt(compose, "services.proxy.depends_on.tollgate.condition")).isEqualTo("service_healthy");
    }

    @Test
    void dataLivesInNamedVolumes() {
        assertThat(mapAt(compose, "volumes")).containsOnlyKeys("postgres-data", "redis-data");
        assertThat(itemsAt(compose, "services.postgres.volumes")).anyMatch(volume -> volume.toString()
            .startsWith("postgres-data:/var/lib/postgresql/data"));
        assertThat(itemsAt(compose, "services.redis.volumes")).anyMatch(volume -> volume.toString()
            .startsWith("redis-data:/data"));
        assertThat(itemsAt(compose, "services.redis.command")).contains("--appendonly", "yes");
    }

    @Test
    void tollgateUsesTheStacksPostgresqlAndRedis() {
        Map<String, Object> env = mapAt(compose, "services.tollgate.environment");

        assertThat(env).containsEntry("SPRING_R2DBC_URL", "r2dbc:postgresql://postgres:5432/tollgate")
            .containsEntry("SPRING_R2DBC_USERNAME", at(compose, "services.postgres.environment.POSTGRES_USER"))
            .containsEntry("SPRING_DATA_REDIS_URL", "redis://redis:6379");
    }

    @Test
    void aPasswordFromTheShellReachesBothPostgresqlAndTollgate() throws Exception {
        Map<String, Object> withPassword = config(Map.of("POSTGRES_PASSWORD", "from-the-shell"));

        assertThat(at(withPassword, "services.postgres.environment.POSTGRES_PASSWORD")).isEqualTo("from-the-shell");
        assertThat(at(withPassword, "services.tollgate.environment.SPRING_R2DBC_PASSWORD")).isEqualTo("from-the-shell");
    }

    @Test
    void tollgateRunsOnAReadOnlyFilesystemAndGetsTimeToFinishItsStreams() {
        Map<String, Object> tollgate = mapAt(compose, "services.tollgate");

        assertThat(tollgate).containsEntry("read_only", true);
        assertThat(itemsAt(tollgate, "tmpfs")).containsExactly("/tmp");
        // Longer than Tollgate's shutdown window (spring.lifecycle.timeout-per-shutdown-phase: 30s).
        assertThat(seconds(stringAt(tollgate, "stop_grace_period"))).isGreaterThan(30);
    }

    @Test
    void theProxyBalancesOverEveryReplicaAndDoesNotBufferStreams() throws IOException {
        String nginx = nginxConfig();
        String api = block(nginx, "location / {");

        assertThat(nginx).containsPattern("resolver 127\\.0\\.0\\.11 valid=\\d+s")
            .containsPattern("server tollgate:8080\\b[^;]*\\bresolve;");
        assertThat(block(nginx, "upstream tollgate {")).contains("zone tollgate");
        assertThat(api).contains("proxy_pass http://tollgate;")
            .containsPattern("proxy_buffering\\s+off;")
            .containsPattern("proxy_cache\\s+off;")
            .containsPattern("proxy_http_version\\s+1\\.1;");
        assertThat(seconds(directive(api, "proxy_read_timeout"))).isGreaterThanOrEqualTo(300);
        // Larger than Tollgate's 10 MiB limit, so that Tollgate's own 413 answers in OpenAI's shape.
        assertThat(directive(nginx, "client_max_body_size")).matches("\\d+m")
            .satisfies(size -> assertThat(Integer.parseInt(size.replace("m", ""))).isGreaterThan(10));
        // The upstream `resolve` parameter exists in open-source nginx from 1.27.3 on.
        String version = stringAt(compose, "services.proxy.image").replaceAll("^nginx:([0-9.]+).*$", "$1");
        assertThat(List.of(version.split("\\.")).subList(0, 2).stream().map(Integer::parseInt).toList())
            .satisfies(majorMinor -> assertThat(majorMinor.get(0) * 1000 + majorMinor.get(1)).isGreaterThan(1027));
    }

    /** Sign-in limits count by the client's address: behind nginx, the one nginx saw, never one the client sent. */
    @Test
    void tollgateTakesTheClientsAddressFromNginxAlone() throws IOException {
        assertThat(mapAt(compose, "services.tollgate.environment"))
            .containsEntry("SERVER_FORWARD_HEADERS_STRATEGY", "native");
        assertThat(block(nginxConfig(), "location / {"))
            .containsPattern("proxy_set_header\\s+X-Forwarded-For\\s+\\$remote_addr;")
            .containsPattern("proxy_set_header\\s+Forwarded\\s+\"\";")
            .doesNotContain("$proxy_add_x_forwarded_for");
    }

    @Test
    void errorsNginxAnswersItselfAreJsonInOpenAisShape() throws IOException {
        String nginx = nginxConfig();

        for (String location : List.of("location @no_replica {", "location @too_large {")) {
            assertThat(block(nginx, location)).contains("default_type application/json;")
                .containsPattern("return \\d{3} '\\{\"error\":\\{\"message\":");
        }
        assertThat(nginx).contains("error_page 502 503 504 =503 @no_replica;", "error_page 413 =413 @too_large;");
    }

    private static String nginxConfig() throws IOException {
        String mount = itemsAt(compose, "services.proxy.volumes").stream().map(Object::toString)
            .filter(volume -> volume.contains(":/etc/nginx/conf.d/default.conf")).findFirst().orElseThrow();
        Path file = Path.of(mount.substring(0, mount.indexOf(':')));
        assertThat(file).exists();
        return Files.readString(file).replaceAll("(?m)#.*$", "");
    }

    /** The text between the braces of the block that starts with this header. */
    private static String block(String config, String header) {
        int start = config.indexOf(header);
        assertThat(start).as("nginx block %s", header).isNotNegative();
        int depth = 0;
        for (int i = start + header.length() - 1; i < config.length(); i++) {
            if (config.charAt(i) == '{') {
                depth++;
            }
            else if (config.charAt(i) == '}' && --depth == 0) {
                return config.substring(start + header.length(), i);
            }
        }
        throw new AssertionError("Unclosed nginx block " + header);
    }

    private static String directive(String config, String name) {
        Matcher matcher = Pattern.compile("\\b" + name + "\\s+([^;]+);").matcher(config);
        assertThat(matcher.find()).as("nginx directive %s", name).isTrue();
        return matcher.group(1).trim();
    }

    private static long seconds(String duration) {
        Matcher matcher = Pattern.compile("(\\d+)(ms|s|m|h)?").matcher(duration);
        assertThat(matcher.matches()).as("duration %s", duration).isTrue();
        long amount = Long.parseLong(matcher.group(1));
        String unit = matcher.group(2) == null ? "s" : matcher.group(2);
        return switch (unit) {
            case "ms" -> amount / 1000;
            case "m" -> amount * 60;
            case "h" -> amount * 3600;
            default -> amount;
        };
    }

    private static Map<String, Object> config(Map<String, String> environment) throws Exception {
        Path errors = Files.createTempFile("docker-compose", ".err");
        ProcessBuilder builder = new ProcessBuilder("docker-compose", "-f", "docker-compose.yml", "config")
            .redirectError(errors.toFile());
        COMPOSE_VARIABLES.forEach(builder.environment()::remove);
        builder.environment().putAll(environment);
        Process process;
        try {
            process = builder.start();
        }
        catch (IOException notInstalled) {
            // CI must run these tests: .ci/run installs docker-compose, so its absence there is a failure.
            if (System.getenv("CI") != null) {
                throw new AssertionError("docker-compose is not installed; .ci/run should have installed it",
                        notInstalled);
            }
            Assumptions.abort("docker-compose is not installed (apt-get install docker-compose)");
            throw notInstalled;
        }
        process.getOutputStream().close();
        byte[] stdout = process.getInputStream().readAllBytes();
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as("docker-compose config: %s", Files.readString(errors)).isZero();
        Files.delete(errors);
        return new Yaml().load(new String(stdout, StandardCharsets.UTF_8));
    }

}
