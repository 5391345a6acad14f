package dev.tollgate.billing;

import java.util.UUID;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.reactive.TransactionalOperator;
import reactor.core.publisher.Mono;
import tools.jackson.databind.JsonNode;

import dev.tollgate.credits.CreditKind;

/**
 * Applies verified Stripe events, each exactly once: the event id is stored in the same transaction as the event's
 * effects, so a redelivery (even a concurrent one, which waits on the id's unique index) finds it and does nothing.
 * Effects are themselves idempotent (a Checkout Session is credited once whichever of its events comes first), so
 * two different events about one payment never credit it twice.
 */
@Component
final class StripeEventProcessor {

    private static final Logger log = LoggerFactory.getLogger(StripeEventProcessor.class);

    private static final long MICROS_PER_CENT = 10_000;

    private final DatabaseClient db;
    private final TransactionalOperator transaction;
    private final StripePayments payments;
    private final AutoTopUps autoTopUps;

    StripeEventProcessor(DatabaseClient db, TransactionalOperator transaction, StripePayments payments,
            AutoTopUps autoTopUps) {
        this.db = db;
        this.transaction = transaction;
        this.payments = payments;
        this.autoTopUps = autoTopUps;
    }

    /** @return true when the event was processed now, false when it had been before */
    Mono<Boolean> process(StripeEvent event) {
        Mono<Boolean> once = db.sql("insert into stripe_event (id, type) values (:id, :type) on conflict do nothing")
            .bind("id", event.id())
            .bind("type", event.type())
            .fetch()
            .rowsUpdated()
            .flatMap(inserted -> inserted == 0 ? Mono.just(false) : apply(event).thenReturn(true));
        return transaction.transactional(once);
    }

    private Mono<Void> apply(StripeEvent event) {
        return switch (event.type()) {
            case "checkout.session.completed", "checkout.session.async_payment_succeeded" -> fulfilCheckout(event);
            case "payment_intent.succeeded" -> autoTopUps.paymentSucceeded(event);
            case "payment_intent.payment_failed" -> autoTopUps.paymentFailed(event);
            case "charge.refunded" -> refund(event);
            case "charge.dispute.funds_withdrawn" -> dispute(event);
            default -> Mono.empty();
        };
    }

    /**
     * Credits a paid Checkout Session once, keyed by the session id, from the verified session object: the tenant in
     * {@code client_reference_id} (and {@code metadata.tenant_id}), the credits in {@code metadata.credit_micros}, and
     * {@code amount_total} which must be what Tollgate asked for (credits plus fee).
     */
    private Mono<Void> fulfilCheckout(StripeEvent event) {
        String session = event.text("id");
        if (!"payment".equals(event.text("mode")) || !StripeMetadata.TOPUP.equals(event.metadata(StripeMetadata.PURPOSE))) {
            return Mono.empty();
        }
        if (!"paid".equals(event.text("payment_status"))) {
            log.info("Checkout Session {} completed unpaid ({}); credits follow when the payment succeeds", session,
                    event.text("payment_status"));
            return Mono.empty();
        }
        String tenant = event.text("client_reference_id");
        if (!isUuid(tenant) || !tenant.equals(event.metadata(StripeMetadata.TENANT_ID))) {
            log.error("Checkout Session {} names tenant '{}' but its metadata '{}'; not credited", session, tenant,
                    event.metadata(StripeMetadata.TENANT_ID));
            return Mono.empty();
        }
        long credit = parseLong(event.metadata(StripeMetadata.CREDIT_MICROS));
        long fee = event.metadata(StripeMetadata.FEE_MICROS).isEmpty() ? 0
                : parseLong(event.metadata(StripeMetadata.FEE_MICROS));
        // With Adaptive Pricing the payer may pay in another currency; currency_conversion then holds the USD amount.
        JsonNode conversion = event.object().path("currency_conversion");
        String currency = conversion.isObject() ? conversion.path("source_currency").asString("")
                : event.text("currency");
        long paidCents = conversion.isObject() ? StripeEvent.amount(conversion.path("amount_total"))
                : event.amount("amount_total");
        // Checked before multiplying: a product beyond a long would wrap around, maybe to just what was asked.
        if (credit <= 0 || fee < 0 || !StripeApi.CURRENCY.equals(currency) || paidCents < 0
                || paidCents > Long.MAX_VALUE / MICROS_PER_CENT || paidCents * MICROS_PER_CENT != credit + fee) {
            log.error("Checkout Session {} paid {} {} for {} micros of credits plus {} of fee; not credited", session,
                    paidCents, currency, credit, fee);
            return Mono.empty();
        }
        String paymentIntent = event.reference("payment_intent");
        return payments.credit(new StripePayments.Payment(UUID.fromString(tenant), CreditKind.TOPUP, credit,
                    session, "Top-up with Stripe Checkout", paymentIntent.isEmpty() ? null : paymentIntent, session))
            .doOnNext(credited -> {
                if (credited) {
                    log.info("Credited {} micros to tenant {} for Checkout Session {}", credit, tenant, session);
                }
            })
            .then();
    }

    /** Debits the refunded share of a payment's credits ({@code amount_refunded} is cumulative over its refunds). */
    private Mono<Void> refund(StripeEvent event) {
        String paymentIntent = event.reference("payment_intent");
        long amount = event.amount("amount");
        long refunded = event.amount("amount_refunded");
        if (paymentIntent.isEmpty() || amount <= 0 || refunded < 0) {
            return Mono.empty();
        }
        return payments.refunded(paymentIntent, amount, refunded);
    }

    /** Takes back a payment's credits when a dispute withdrew its funds (the event's object is the dispute). */
    private Mono<Void> dispute(StripeEvent event) {
        String paymentIntent = event.reference("payment_intent");
        if (paymentIntent.isEmpty()) {
            log.error("Dispute {} withdrew the funds of charge {}, which has no PaymentIntent: take its credits back"
                    + " with an operator adjustment", event.text("id"), event.reference("charge"));
            return Mono.empty();
        }
        return payments.disputed(paymentIntent);
    }

    private static boolean isUuid(String value) {
        try {
            return UUID.fromString(value).toString().equals(value);
        }
        catch (IllegalArgumentException ex) {
            return false;
        }
    }

    private static long parseLong(String value) {
        try {
            return Long.parseLong(value);
        }
        catch (NumberFormatException ex) {
            return -1;
        }
    }

}
