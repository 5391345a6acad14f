package dev.tollgate.billing;

import java.util.Map;

import org.jspecify.annotations.Nullable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Mono;

/**
 * {@code POST /api/billing/stripe-webhook}: Stripe's events, authenticated by their signature (no session, no CSRF).
 * A verified event is processed and recorded in one transaction, then answered 200; a forged, stale or malformed one
 * is answered 400 and changes nothing; a failure while processing is a 500, so that Stripe delivers it again.
 */
@RestController
class StripeWebhookController {

    private final StripeWebhookVerifier verifier;
    private final StripeEventProcessor processor;

    StripeWebhookController(StripeWebhookVerifier verifier, StripeEventProcessor processor) {
        this.verifier = verifier;
        this.processor = processor;
    }

    @PostMapping("/api/billing/stripe-webhook")
    Mono<Map<String, Object>> receive(@RequestBody(required = false) @Nullable String payload,
            @RequestHeader(name = "Stripe-Signature", required = false) @Nullable String signature) {
        StripeEvent event = verifier.verify(payload, signature);
        return processor.process(event)
            .map(firstTime -> Map.of("received", true, "duplicate", !firstTime));
    }

}
