package dev.tollgate.billing;

import org.springframework.http.HttpStatus;

import dev.tollgate.common.ApiException;

/** The errors of the billing API, in Tollgate's OpenAI-shaped error body. */
final class BillingErrors {

    private BillingErrors() {
    }

    static ApiException notConfigured() {
        return new ApiException(HttpStatus.SERVICE_UNAVAILABLE, "service_unavailable", "billing_not_configured",
                "Card payments are not configured on this Tollgate (no Stripe key). Ask the operator to add credits.");
    }

    static ApiException invalidWebhook(String why) {
        return new ApiException(HttpStatus.BAD_REQUEST, "invalid_request_error", "invalid_webhook", why);
    }

    static ApiException stripeUnavailable() {
        return new ApiException(HttpStatus.BAD_GATEWAY, "upstream_error", "stripe_unavailable",
                "Stripe did not open the payment page; nothing was charged. Try again in a moment.");
    }

}
