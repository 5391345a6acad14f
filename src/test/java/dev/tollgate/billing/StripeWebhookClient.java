package dev.tollgate.billing;

import java.time.Instant;

import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;
import tools.jackson.databind.JsonNode;

import dev.tollgate.testsupport.TestEnvironment;
import dev.tollgate.testsupport.stripe.StripeEvents;
import dev.tollgate.testsupport.stripe.StripeWebhookSigner;

/** Delivers webhook events to Tollgate as Stripe does: a signed JSON POST, with no session and no CSRF token. */
final class StripeWebhookClient {

    private final WebTestClient client;

    StripeWebhookClient(WebTestClient client) {
        this.client = client;
    }

    /** Delivers a new event of {@code type} about {@code object}; returns the event's payload (to deliver again). */
    String deliver(String type, JsonNode object) {
        String payload = StripeEvents.payload(StripeEvents.newId(), type, object);
        post(payload, signedNow(payload)).expectStatus().isOk();
        return payload;
    }

    WebTestClient.ResponseSpec post(String payload, String signature) {
        return client.post()
            .uri("/api/billing/stripe-webhook")
            .header("Stripe-Signature", signature)
            .contentType(MediaType.APPLICATION_JSON)
            .bodyValue(payload)
            .exchange();
    }

    static String signedNow(String payload) {
        return StripeWebhookSigner.header(payload, TestEnvironment.STRIPE_WEBHOOK_SECRET, Instant.now().getEpochSecond());
    }

}
