package dev.tollgate.dashboard;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.core.io.ClassPathResource;

import dev.tollgate.testsupport.FakeUpstream;
import dev.tollgate.testsupport.IntegrationTest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

/**
 * The dashboard in a real headless Chromium against the whole application: {@code frontend/e2e/journey.mjs} signs up,
 * creates a key, calls the proxy (the fake upstream answers), finds the call under Activity and Usage, revokes the key
 * and sees it refused. Screenshots land in {@code target/screenshots/}. Skipped only for backend-only builds
 * ({@code -Dfrontend.skip}); a machine without Chromium or Node fails with what to install.
 */
@IntegrationTest
class BrowserJourneyIntegrationTests {

    private static final Path JOURNEY = Path.of("frontend", "e2e", "journey.mjs");

    private static final Path SCREENSHOTS = Path.of("target", "screenshots");

    /**
     * Dashboard features whose API this build serves: the journey fails, rather than skips their steps, when one
     * answers 404. Billing (checkout, automatic top-up) joins when its endpoints land.
     */
    private static final String REQUIRED_FEATURES = "activity,usage,credits";

    private static final Path CHROMIUM = Path.of(System.getProperty("tollgate.chromium", "/usr/bin/chromium"));

    @LocalServerPort
    int port;

    @BeforeEach
    void setUp() {
        assumeFalse(Boolean.getBoolean("frontend.skip"), "the frontend is not built (-Dfrontend.skip)");
        FakeUpstream.shared().reset();
    }

    @Test
    void aNewTenantSignsUpCallsAModelSeesTheCallAndRevokesTheKey() throws Exception {
        requirePrerequisites();

        List<String> command = List.of("node", JOURNEY.toString(), "http://127.0.0.1:" + port);
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().put("CHROMIUM_PATH", CHROMIUM.toString());
        builder.environment().put("SCREENSHOT_DIR", SCREENSHOTS.toAbsolutePath().toString());
        builder.environment().put("JOURNEY_REQUIRE", REQUIRED_FEATURES);
        Process journey = builder.start();
        journey.getOutputStream().close();
        CompletableFuture<String> output = CompletableFuture.supplyAsync(() -> readAll(journey.getInputStream()));
        if (!journey.waitFor(4, TimeUnit.MINUTES)) {
            journey.descendants().forEach(ProcessHandle::destroyForcibly);
            journey.destroyForcibly();
            fail("The browser journey did not finish within 4 minutes:%n%s", output.getNow("(no output)"));
        }
        String log = output.get(30, TimeUnit.SECONDS);
        System.out.println(log);

        assertThat(journey.exitValue()).as("exit code of %s; its output:%n%s", command, log).isZero();
        assertThat(log).doesNotContain("SKIP").contains("ok - sign up", "ok - create a key and read it off the page",
                "ok - the key calls /v1/chat/completions", "ok - the Activity page shows the call",
                "ok - the Usage page shows its cost", "ok - the Credits page shows the balance",
                "ok - revoke the key after confirming",
                "ok - the revoked key gets 401", "JOURNEY PASSED");
        assertThat(FakeUpstream.shared().requestCount()).as("chat calls that reached the fake upstream").isEqualTo(1);
        try (var shots = Files.list(SCREENSHOTS)) {
            assertThat(shots.map(path -> path.getFileName().toString()))
                .contains("01-login.png")
                .anyMatch(name -> name.endsWith("-key-created.png"))
                .anyMatch(name -> name.endsWith("-revoke-confirm.png"));
        }
    }

    private static void requirePrerequisites() throws InterruptedException {
        if (!Files.isExecutable(CHROMIUM)) {
            fail("Chromium is missing at %s: the browser journey needs Debian's chromium "
                    + "(apt-get install -y chromium; .ci/run does this), or build with -Dfrontend.skip.", CHROMIUM);
        }
        if (!new ClassPathResource("static/index.html").exists()) {
            fail("The dashboard is not built into target/classes/static: run the Maven build without -Dfrontend.skip "
                    + "(it runs npm ci and npm run build in frontend/).");
        }
        if (!Files.isDirectory(Path.of("frontend", "node_modules", "playwright-core"))) {
            fail("frontend/node_modules/playwright-core is missing: run the Maven build without -Dfrontend.skip "
                    + "(or npm ci in frontend/).");
        }
        try {
            Process node = new ProcessBuilder("node", "--version").redirectErrorStream(true).start();
            if (!node.waitFor(30, TimeUnit.SECONDS) || node.exitValue() != 0) {
                fail("node --version failed: the browser journey needs Node.js 20.19+ on the PATH.");
            }
        }
        catch (IOException ex) {
            fail("Node.js is not on the PATH: the browser journey needs Node.js 20.19+ (%s)", ex.getMessage());
        }
    }

    private static String readAll(InputStream in) {
        try (in) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        catch (IOException ex) {
            return "(could not read the journey's output: " + ex + ")";
        }
    }

}
