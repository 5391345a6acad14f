package dev.tollgate.deploy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

import static dev.tollgate.deploy.RenderedChart.at;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The image the Dockerfile builds, as far as its text decides it (no Docker engine here): which base it runs on, as
 * whom, and how the JVM starts; checked against what the Helm chart and docker-compose.yml expect of it.
 */
class DockerfileTests {

    private static final List<String> LINES = instructions();

    @Test
    void theRuntimeIsTheUbuntuBasedTemurinJre() {
        // Ubuntu, not Alpine: curl for Compose's health check and sleep for Kubernetes' preStop hook are there.
        assertThat(runtimeBaseImage()).matches("eclipse-temurin:17-jre-(noble|jammy)");
    }

    @Test
    void itRunsAsTheNumericNonRootUserTheChartExpects() throws IOException {
        Map<String, Object> values = new Yaml().load(Files.readString(RenderedChart.CHART.resolve("values.yaml")));
        String user = instruction("USER");

        assertThat(user).matches("\\d+:\\d+");
        assertThat(user).isEqualTo(at(values, "podSecurityContext.runAsUser") + ":"
                + at(values, "podSecurityContext.runAsGroup"));
        assertThat(user).doesNotStartWith("0:");
    }

    @Test
    void javaIsStartedInExecFormSoThatItReceivesSigterm() {
        assertThat(instruction("ENTRYPOINT")).startsWith("[\"java\",").endsWith("]");
    }

    @Test
    void theJvmSizesItselfFromTheContainerAndWritesOnlyToTmp() {
        String env = LINES.stream().filter(line -> line.startsWith("ENV ")).reduce("", String::concat);

        assertThat(env).contains("-XX:MaxRAMPercentage=75", "-XX:+ExitOnOutOfMemoryError", "-Djava.io.tmpdir=/tmp",
                "TOLLGATE_DATABASE_EMBEDDED=false");
    }

    @Test
    void bothPortsAreDeclared() {
        assertThat(instruction("EXPOSE")).isEqualTo("8080 8081");
    }

    @Test
    void theBuildContextLeavesOutBuildOutputAndGitHistory() throws IOException {
        assertThat(Files.readAllLines(Path.of(".dockerignore"))).contains("target/", ".git/", ".tollgate/");
    }

    /** The image of the last FROM: the stage that runs. */
    static String runtimeBaseImage() {
        List<String> froms = LINES.stream().filter(line -> line.startsWith("FROM ")).toList();
        return froms.get(froms.size() - 1).substring("FROM ".length()).split("\\s+")[0];
    }

    private static String instruction(String name) {
        List<String> found = LINES.stream().filter(line -> line.startsWith(name + " ")).toList();
        assertThat(found).as("%s instructions", name).hasSize(1);
        return found.get(0).substring(name.length() + 1).trim();
    }

    /** Dockerfile instructions with continuation lines joined and comments dropped. */
    private static List<String> instructions() {
        try {
            String text = Files.readString(Path.of("Dockerfile")).replaceAll("(?m)^\\s*#.*\\n", "")
                .replaceAll("\\\\\\n\\s*", " ");
            return text.lines().map(String::trim).filter(line -> !line.isEmpty()).toList();
        }
        catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }

}
