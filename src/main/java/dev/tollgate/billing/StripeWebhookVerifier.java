package dev.tollgate.billing;

import com.stripe.exception.SignatureVerificationException;
import com.stripe.model.Event;
import com.stripe.net.Webhook;
import org.jspecify.annotations.Nullable;
import org.springframework.stereotype.Component;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import dev.tollgate.common.ApiException;

/**
 * Checks that a webhook comes from Stripe: the {@code Stripe-Signature} header must carry an HMAC-SHA256 of
 * {@code "<t>.<payload>"} under the endpoint's secret, and {@code t} must be within the tolerance window (a replay of
 * an old event is refused). Verification is stripe-java's own; it is pure computation, safe on an event loop.
 */
@Component
final class StripeWebhookVerifier {

    private final StripeProperties properties;
    private final JsonMapper json;

    StripeWebhookVerifier(StripeProperties properties, JsonMapper json) {
        this.properties = properties;
        this.json = json;
    }

    /**
     * @return the verified event
     * @throws ApiException 400 for a missing or wrong signature, a stale timestamp or a malformed event; 503 when no
     *     webhook secret is configured
     */
    StripeEvent verify(@Nullable String payload, @Nullable String signature) {
        if (properties.webhookSecret().isBlank()) {
            throw BillingErrors.notConfigured();
        }
        if (signature == null || signature.isBlank()) {
            throw BillingErrors.invalidWebhook("Missing Stripe-Signature header.");
        }
        if (payload == null || payload.isBlank()) {
            throw BillingErrors.invalidWebhook("Empty webhook payload.");
        }
        Event event;
        try {
            event = Webhook.constructEvent(payload, signature, properties.webhookSecret(),
                    properties.webhookTolerance().toSeconds());
        }
        catch (SignatureVerificationException ex) {
            throw BillingErrors.invalidWebhook("Stripe signature verification failed: " + ex.getMessage());
        }
        catch (RuntimeException ex) {
            // Signed, but not an event stripe-java can read.
            throw BillingErrors.invalidWebhook("Malformed Stripe event.");
        }
        JsonNode root;
        try {
            root = json.readTree(payload);
        }
        catch (JacksonException ex) {
            throw BillingErrors.invalidWebhook("Malformed Stripe event.");
        }
        JsonNode object = root.path("data").path("object");
        if (event.getId() == null || event.getType() == null || !object.isObject()) {
            throw BillingErrors.invalidWebhook("Malformed Stripe event: id, type and data.object are required.");
        }
        return new StripeEvent(event.getId(), event.getType(), object);
    }

}
