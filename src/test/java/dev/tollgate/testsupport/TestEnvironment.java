package dev.tollgate.testsupport;

import java.util.HashMap;
import java.util.Map;

import org.springframework.context.ApplicationContextInitializer;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.env.MapPropertySource;

import dev.tollgate.testsupport.stripe.FakeStripe;

/**
 * Points the application under test at the shared test PostgreSQL, the fake upstream and the local Redis, with short
 * upstream timeouts so that timeout tests finish quickly. Every integration test uses exactly these settings, so Spring builds
 * one context and reuses it.
 */
public final class TestEnvironment implements ApplicationContextInitializer<ConfigurableApplicationContext> {

    public static final String OPENAI_UPSTREAM_KEY = "sk-fake-openai-upstream-key";

    public static final String OPERATOR_EMAIL = "operator@tollgate.test";

    /** Listed as an operator and never signed up by DashboardUser: AccountIntegrationTests claims it. */
    public static final String UNCLAIMED_OPERATOR_EMAIL = "kim-operator@tollgate.test";

    public static final String OPERATOR_SIGNUP_CODE = "operator code for tests";

    public static final String SIGNUP_BONUS_USD = "10";

    /** How many times a route is tried before the next one (tollgate.routing.attempts-per-route). */
    public static final int ATTEMPTS_PER_ROUTE = 2;

    /** The longest provider Retry-After that is waited for on the same route (tollgate.routing.max-retry-after). */
    public static final int MAX_RETRY_AFTER_SECONDS = 2;

    public static final String ANTHROPIC_UPSTREAM_KEY = "sk-ant-fake-upstream-key";

    public static final String GEMINI_UPSTREAM_KEY = "fake-gemini-upstream-key";

    public static final String AZURE_UPSTREAM_KEY = "fake-azure-upstream-key";

    public static final String STRIPE_WEBHOOK_SECRET = "whsec_tollgate_test";

    public static final String REDIS_URL = "redis://127.0.0.1:6379";

    @Override
    public void initialize(ConfigurableApplicationContext context) {
        context.getEnvironment().getPropertySources().addFirst(new MapPropertySource("tollgate-test", properties()));
    }

    /** The settings of the application under test, also used to start a second instance beside it. */
    public static Map<String, Object> properties() {
        TestPostgres postgres = TestPostgres.get();
        String fake = FakeUpstream.shared().baseUrl();
        Map<String, Object> properties = new HashMap<>();
        properties.put("spring.r2dbc.url", postgres.r2dbcUrl());
        properties.put("spring.r2dbc.username", postgres.user());
        properties.put("spring.r2dbc.password", postgres.password());
        properties.put("tollgate.database.embedded", "false");
        properties.put("management.server.port", "0");
        properties.put("tollgate.catalog.refresh-interval", "1s");
        properties.put("tollgate.credits.signup-bonus-usd", SIGNUP_BONUS_USD);
        properties.put("tollgate.operator.emails", OPERATOR_EMAIL + "," + UNCLAIMED_OPERATOR_EMAIL);
        properties.put("tollgate.operator.signup-code", OPERATOR_SIGNUP_CODE);
        // Every test signs up and logs in from 127.0.0.1; SignInThrottleTests covers the limit.
        properties.put("tollgate.auth.attempts-per-minute", "100000");
        properties.put("tollgate.routing.attempts-per-route", String.valueOf(ATTEMPTS_PER_ROUTE));
        properties.put("tollgate.routing.max-retry-after", MAX_RETRY_AFTER_SECONDS + "s");
        properties.put("tollgate.routing.backoff", "20ms");
        properties.put("tollgate.routing.max-backoff", "50ms");
        // Many tests make providers fail on purpose; in the shared context that must never open a circuit breaker
        // (RoutingIntegrationTests checks the breakers on an instance of its own).
        properties.put("tollgate.routing.breaker.enabled", "false");
        properties.put("tollgate.keys.last-used-flush-interval", "200ms");
        properties.put("tollgate.providers.openai.base-url", fake + "/v1");
        properties.put("tollgate.providers.openai.api-keys", OPENAI_UPSTREAM_KEY);
        // Roomy for the provider most tests use (load tests run two instances on two cores)…
        properties.put("tollgate.providers.openai.timeouts.first-byte", "10s");
        properties.put("tollgate.providers.openai.timeouts.idle", "10s");
        // …and short for the one the timeout tests use, so that they finish quickly.
        properties.put("tollgate.providers.mistral.base-url", fake + "/mistral/v1");
        properties.put("tollgate.providers.mistral.api-keys", "sk-fake-mistral");
        properties.put("tollgate.providers.mistral.timeouts.first-byte", "2s");
        properties.put("tollgate.providers.mistral.timeouts.idle", "2s");
        properties.put("tollgate.providers.anthropic.base-url", fake + "/anthropic");
        properties.put("tollgate.providers.anthropic.api-keys", ANTHROPIC_UPSTREAM_KEY);
        properties.put("tollgate.providers.anthropic.timeouts.first-byte", "10s");
        properties.put("tollgate.providers.anthropic.timeouts.idle", "10s");
        properties.put("tollgate.providers.google.base-url", fake + "/google/v1beta");
        properties.put("tollgate.providers.google.api-keys", GEMINI_UPSTREAM_KEY);
        properties.put("tollgate.providers.azure.type", "azure-openai");
        properties.put("tollgate.providers.azure.base-url", fake + "/azure");
        properties.put("tollgate.providers.azure.api-keys", AZURE_UPSTREAM_KEY);
        // A resource pinned to an api-version that knows only max_tokens.
        properties.put("tollgate.providers.azure-legacy.type", "azure-openai");
        properties.put("tollgate.providers.azure-legacy.base-url", fake + "/azure");
        properties.put("tollgate.providers.azure-legacy.api-keys", AZURE_UPSTREAM_KEY);
        properties.put("tollgate.providers.azure-legacy.api-version", "2024-06-01");
        properties.put("tollgate.providers.azure-legacy.max-completion-tokens", "false");
        // Stripe is the local fake; the background jobs run often and retry quickly so that billing tests are short.
        properties.put("tollgate.stripe.api-base", FakeStripe.shared().baseUrl());
        properties.put("tollgate.stripe.secret-key", "sk_test_tollgate_fake");
        properties.put("tollgate.stripe.webhook-secret", STRIPE_WEBHOOK_SECRET);
        properties.put("tollgate.stripe.checkout.fee-percent", "2.9");
        properties.put("tollgate.stripe.checkout.fee-fixed-usd", "0.30");
        properties.put("tollgate.stripe.auto-topup.check-interval", "300ms");
        properties.put("tollgate.stripe.auto-topup.retry-backoff", "200ms");
        properties.put("tollgate.stripe.meter.report-interval", "300ms");
        properties.put("tollgate.stripe.meter.retry-backoff", "200ms");
        // Plan changes reach other instances by cluster event; the periodic re-read is a safety net tests must not need.
        properties.put("tollgate.stripe.plans-refresh-interval", "1h");
        // Rate limits shared through the real Redis (127.0.0.1:6379 locally and in CI). Their window is 10 s rather
        // than a minute so that a limited key recovers within a test; the plans are for rate-limit tests only (no
        // default plan, so no other test is limited).
        properties.put("spring.data.redis.url", REDIS_URL);
        properties.put("tollgate.ratelimit.window", "10s");
        properties.put("tollgate.ratelimit.redis.retry-interval", "200ms");
        properties.put("tollgate.ratelimit.plans.test-small.requests-per-minute", "4");
        properties.put("tollgate.ratelimit.plans.test-small.tokens-per-minute", "100000");
        return properties;
    }

}
