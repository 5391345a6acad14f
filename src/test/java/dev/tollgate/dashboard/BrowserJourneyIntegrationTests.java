package dev.tollgate.dashboard;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.core.io.ClassPathResource;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;
import tools.jackson.databind.node.ObjectNode;

import dev.tollgate.testsupport.FakeUpstream;
import dev.tollgate.testsupport.IntegrationTest;
import dev.tollgate.testsupport.TestEnvironment;
import dev.tollgate.testsupport.stripe.FakeStripe;
import dev.tollgate.testsupport.stripe.StripeEvents;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

/**
 * The dashboard in a real headless Chromium against the whole application: {@code frontend/e2e/journey.mjs} signs up,
 * creates a key and sets its limits, calls the proxy (the fake upstream answers), finds the call under Activity and
 * Usage, buys credits through the fake Stripe's Checkout and sees the balance grow, revokes the key and sees it
 * refused. Screenshots land in {@code target/screenshots/}. Skipped only for backend-only builds
 * ({@code -Dfrontend.skip}); a machine without Chromium or Node fails with what to install.
 *
 * <p>This test is the journey's payer: when the journey reaches the stand-in Checkout page it prints
 * {@code PAY <session>}, and the test completes that session in the fake Stripe, delivers its
 * {@code checkout.session.completed} webhook signed with the webhook secret, and answers {@code PAID <session>
 * <amount_total>} once Tollgate has accepted it. The secret and the fake's state stay on this side; the browser side
 * only checks that what the page quoted is what Stripe charged, and that the page shows the credits.
 */
@IntegrationTest
class BrowserJourneyIntegrationTests {

    private static final Path JOURNEY = Path.of("frontend", "e2e", "journey.mjs");

    private static final Path SCREENSHOTS = Path.of("target", "screenshots");

    /**
     * Dashboard features whose API this build serves: the journey fails, rather than skips their steps, when one
     * answers 404 (or, for billing, when Stripe is off or nobody pays).
     */
    private static final String REQUIRED_FEATURES = "activity,usage,credits,billing";

    private static final Path CHROMIUM = Path.of(System.getProperty("tollgate.chromium", "/usr/bin/chromium"));

    @LocalServerPort
    int port;

    @Autowired
    WebTestClient client;

    final FakeStripe stripe = FakeStripe.shared();

    /** Checkout Sessions this test paid for the journey, and what went wrong while paying, if anything. */
    final List<String> paid = new CopyOnWriteArrayList<>();

    final List<Throwable> paymentFailures = new CopyOnWriteArrayList<>();

    @BeforeEach
    void setUp() {
        assumeFalse(Boolean.getBoolean("frontend.skip"), "the frontend is not built (-Dfrontend.skip)");
        FakeUpstream.shared().reset();
        stripe.reset();
    }

    @Test
    void aNewTenantSignsUpCallsAModelSeesTheCallTopsUpAndRevokesTheKey() throws Exception {
        requirePrerequisites();
        clearScreenshots();

        List<String> command = List.of("node", JOURNEY.toString(), "http://127.0.0.1:" + port);
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().put("CHROMIUM_PATH", CHROMIUM.toString());
        builder.environment().put("SCREENSHOT_DIR", SCREENSHOTS.toAbsolutePath().toString());
        builder.environment().put("JOURNEY_REQUIRE", REQUIRED_FEATURES);
        builder.environment().put("JOURNEY_PAYER", "stdio");
        Process journey = builder.start();
        CompletableFuture<String> output = CompletableFuture.supplyAsync(() -> converse(journey));
        if (!journey.waitFor(4, TimeUnit.MINUTES)) {
            journey.descendants().forEach(ProcessHandle::destroyForcibly);
            journey.destroyForcibly();
            fail("The browser journey did not finish within 4 minutes:%n%s", output.getNow("(no output)"));
        }
        String log = output.get(30, TimeUnit.SECONDS);
        System.out.println(log);

        assertThat(paymentFailures).as("paying for the journey's Checkout").isEmpty();
        assertThat(journey.exitValue()).as("exit code of %s; its output:%n%s", command, log).isZero();
        assertThat(log).doesNotContain("SKIP").contains("ok - sign up", "ok - create a key and read it off the page",
                "ok - set the key’s credit and rate limits", "ok - the key calls /v1/chat/completions",
                "ok - the Activity page shows the call", "ok - the Usage page shows its cost",
                "ok - the Credits page shows the balance", "ok - top up through Stripe Checkout",
                "ok - automatic top-up uses the card of that purchase",
                "ok - guardrails redact personal data, and the call says so",
                "ok - revoke the key after confirming", "ok - the revoked key gets 401", "JOURNEY PASSED");
        assertThat(FakeUpstream.shared().requestCount()).as("chat calls that reached the fake upstream").isEqualTo(2);
        FakeUpstream.shared().takeRequest();
        assertThat(FakeUpstream.shared().takeRequest().json().at("/messages/0/content").stringValue())
            .as("the call made once the Guardrails page set redaction").isEqualTo("Write to [EMAIL] about it");
        // One Checkout Session was opened by the dashboard, and it is the one the journey paid.
        assertThat(stripe.requests("POST", "/v1/checkout/sessions")).hasSize(1)
            .allSatisfy(created -> assertThat(created.param("metadata[credit_micros]")).isEqualTo("25500000"));
        assertThat(paid).hasSize(1);
        try (var shots = Files.list(SCREENSHOTS)) {
            assertThat(shots.map(path -> path.getFileName().toString()))
                .contains("01-login.png")
                .anyMatch(name -> name.endsWith("-key-created.png"))
                .anyMatch(name -> name.endsWith("-key-limits.png"))
                .anyMatch(name -> name.endsWith("-credits-quote.png"))
                .anyMatch(name -> name.endsWith("-checkout.png"))
                .anyMatch(name -> name.endsWith("-credits-topped-up.png"))
                .anyMatch(name -> name.endsWith("-revoke-confirm.png"));
        }
    }

    /** Collects the journey's output and answers its requests to pay, until it exits. */
    private String converse(Process journey) {
        StringBuilder log = new StringBuilder();
        try (BufferedReader lines = journey.inputReader(StandardCharsets.UTF_8);
                Writer answers = journey.outputWriter(StandardCharsets.UTF_8)) {
            for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                log.append(line).append('\n');
                if (line.startsWith("PAY ")) {
                    answers.write(pay(line.substring("PAY ".length()).trim()) + "\n");
                    answers.flush();
                }
            }
        }
        catch (IOException ex) {
            log.append("(could not talk to the journey: ").append(ex).append(")\n");
        }
        return log.toString();
    }

    /**
     * What Stripe does when the payer pays by card: the session completes, and its events are delivered signed with
     * the endpoint's secret: {@code checkout.session.completed} (the credits) and {@code payment_intent.succeeded}
     * (the card saved for automatic top-up). Answers once Tollgate has accepted both; it applies each in the
     * transaction that answers it.
     */
    private String pay(String session) {
        try {
            ObjectNode completed = stripe.completeCheckout(session, true);
            deliver("checkout.session.completed", completed);
            deliver("payment_intent.succeeded", stripe.paymentIntent(completed.path("payment_intent").asString()));
            paid.add(session);
            return "PAID " + session + " " + completed.path("amount_total").asLong();
        }
        catch (RuntimeException | AssertionError ex) {
            paymentFailures.add(ex);
            return "FAILED " + String.valueOf(ex.getMessage()).lines().findFirst().orElse(ex.toString());
        }
    }

    private void deliver(String type, ObjectNode object) {
        String payload = StripeEvents.payload(StripeEvents.newId(), type, object);
        client.post()
            .uri("/api/billing/stripe-webhook")
            .header("Stripe-Signature", StripeEvents.signature(payload, TestEnvironment.STRIPE_WEBHOOK_SECRET))
            .contentType(MediaType.APPLICATION_JSON)
            .bodyValue(payload)
            .exchange()
            .expectStatus().isOk()
            .expectBody().jsonPath("$.duplicate").isEqualTo(false);
    }

    /** Screenshots of an earlier run would let a missing one pass unnoticed. */
    private static void clearScreenshots() throws IOException {
        if (Files.isDirectory(SCREENSHOTS)) {
            try (var shots = Files.list(SCREENSHOTS)) {
                for (Path shot : shots.filter(path -> path.toString().endsWith(".png")).toList()) {
                    Files.delete(shot);
                }
            }
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

}
