package dev.tollgate.billing;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;

import com.stripe.net.Webhook;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

import dev.tollgate.common.ApiException;
import dev.tollgate.testsupport.stripe.StripeWebhookSigner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class StripeWebhookVerifierTests {

    private static final String SECRET = "whsec_test";

    private final StripeWebhookVerifier verifier = new StripeWebhookVerifier(properties(SECRET),
            JsonMapper.builder().build());

    @Test
    void signaturesAreMadeAsStripeMakesThem() throws Exception {
        // The test vector of wire-examples.md §4.2, produced by stripe-java and cross-checked with Python's hmac.
        String expected = "t=1732700000,v1=3b39c9eddea689e10472025e5ef8b3b0ce9b6414130349b6e44eb51dc60c0980";

        assertThat(StripeWebhookSigner.header("{\"id\":\"evt_1\"}", SECRET, 1732700000L)).isEqualTo(expected);
        assertThat(Webhook.Signature.generateSignatureHeader("{\"id\":\"evt_1\"}", SECRET, 1732700000L))
            .isEqualTo(expected);
    }

    @Test
    void aFreshlySignedEventIsAccepted() {
        String payload = event("evt_ok");

        StripeEvent event = verifier.verify(payload, StripeWebhookSigner.header(payload, SECRET, now()));

        assertThat(event.id()).isEqualTo("evt_ok");
        assertThat(event.type()).isEqualTo("checkout.session.completed");
        assertThat(event.text("id")).isEqualTo("cs_1");
        assertThat(event.metadata("tenant_id")).isEqualTo("t");
    }

    @Test
    void aSignatureMadeWithAnotherSecretIsRefused() {
        String payload = event("evt_forged");

        assertRefused(payload, StripeWebhookSigner.header(payload, "whsec_someone_else", now()), "signature");
    }

    @Test
    void aPayloadChangedAfterSigningIsRefused() {
        String payload = event("evt_tampered");
        String signature = StripeWebhookSigner.header(payload, SECRET, now());

        assertRefused(payload.replace("1000", "9000"), signature, "signature");
    }

    @Test
    void anEventSignedLongerAgoThanTheToleranceIsRefused() {
        String payload = event("evt_stale");

        assertRefused(payload, StripeWebhookSigner.header(payload, SECRET, now() - 301), "tolerance");
    }

    @Test
    void aMissingOrGarbledSignatureHeaderIsRefused() {
        String payload = event("evt_unsigned");

        assertRefused(payload, null, "Missing Stripe-Signature");
        assertRefused(payload, "v1=abc", "signature");
    }

    @Test
    void aSignedPayloadThatIsNotAnEventIsRefused() {
        assertRefused("not json", StripeWebhookSigner.header("not json", SECRET, now()), "Malformed");
        String noObject = "{\"id\":\"evt_x\",\"object\":\"event\",\"type\":\"checkout.session.completed\"}";
        assertRefused(noObject, StripeWebhookSigner.header(noObject, SECRET, now()), "Malformed");
    }

    @Test
    void withoutAWebhookSecretWebhooksAreNotConfigured() {
        StripeWebhookVerifier unconfigured = new StripeWebhookVerifier(properties(""), JsonMapper.builder().build());
        String payload = event("evt_any");

        assertThatThrownBy(() -> unconfigured.verify(payload, StripeWebhookSigner.header(payload, SECRET, now())))
            .isInstanceOfSatisfying(ApiException.class, ex -> {
                assertThat(ex.status().value()).isEqualTo(503);
                assertThat(ex.code()).isEqualTo("billing_not_configured");
            });
    }

    private void assertRefused(String payload, String signature, String reason) {
        assertThatThrownBy(() -> verifier.verify(payload, signature))
            .isInstanceOfSatisfying(ApiException.class, ex -> {
                assertThat(ex.status().value()).isEqualTo(400);
                assertThat(ex.code()).isEqualTo("invalid_webhook");
            })
            .hasMessageContaining(reason);
    }

    private static String event(String id) {
        return """
                {"id":"%s","object":"event","api_version":"2026-07-29.dahlia","created":1732700000,
                 "type":"checkout.session.completed","livemode":false,"pending_webhooks":1,
                 "request":{"id":null,"idempotency_key":null},
                 "data":{"object":{"id":"cs_1","object":"checkout.session","amount_total":1000,
                                   "metadata":{"tenant_id":"t"}}}}""".formatted(id);
    }

    private static long now() {
        return Instant.now().getEpochSecond();
    }

    private static StripeProperties properties(String webhookSecret) {
        return new StripeProperties("sk_test", webhookSecret, "http://127.0.0.1:1", Duration.ofSeconds(300),
                Duration.ofSeconds(1), Duration.ofSeconds(1), 0,
                new StripeProperties.Checkout(new BigDecimal("5"), new BigDecimal("100"), BigDecimal.ZERO,
                        BigDecimal.ZERO, "a", "b"),
                new StripeProperties.AutoTopup(Duration.ofSeconds(5), Duration.ofSeconds(1)),
                new StripeProperties.Meter("m", Duration.ofSeconds(10), 10, Duration.ofSeconds(1), Duration.ofHours(1)),
                Duration.ofSeconds(10));
    }

}
