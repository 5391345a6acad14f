package dev.tollgate.billing;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Optional;
import java.util.UUID;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;

import dev.tollgate.credits.CreditKind;
import dev.tollgate.credits.CreditService;

/**
 * Payments that bought credits, and their refunds. A payment is credited once per external reference (the ledger's
 * unique (kind, reference)); a refund debits the refunded share of the credits once per refunded amount, in whatever
 * order Stripe delivers the payment's and the refund's events, and does not set off an automatic top-up. Callers run
 * these inside the webhook's transaction.
 */
@Component
final class StripePayments {

    private static final Logger log = LoggerFactory.getLogger(StripePayments.class);

    private final DatabaseClient db;
    private final CreditService credits;

    StripePayments(DatabaseClient db, CreditService credits) {
        this.db = db;
        this.credits = credits;
    }

    /**
     * Credits a paid payment once (by {@code externalRef}) and remembers it under its PaymentIntent, applying a
     * refund that arrived before it.
     * @return true when credited now, false when it had been credited before
     */
    Mono<Boolean> credit(Payment payment) {
        return credits.append(payment.tenantId(), payment.kind(), payment.creditMicros(), payment.externalRef(),
                payment.description())
            .flatMap(credited -> {
                if (payment.paymentIntentId() == null) {
                    return Mono.just(credited);
                }
                DatabaseClient.GenericExecuteSpec remember = db.sql("""
                        insert into stripe_payment (payment_intent_id, tenant_id, kind, checkout_session_id,
                            credit_micros)
                        values (:pi, :tenant, :kind, :session, :credit)
                        on conflict (payment_intent_id) do update
                            set tenant_id = excluded.tenant_id, kind = excluded.kind,
                                checkout_session_id = excluded.checkout_session_id,
                                credit_micros = excluded.credit_micros, updated_at = now()
                            where stripe_payment.tenant_id is null""")
                    .bind("pi", payment.paymentIntentId())
                    .bind("tenant", payment.tenantId())
                    .bind("kind", payment.kind() == CreditKind.AUTO_TOPUP ? "auto_topup" : "topup")
                    .bind("credit", payment.creditMicros());
                remember = payment.checkoutSessionId() == null ? remember.bindNull("session", String.class)
                        : remember.bind("session", payment.checkoutSessionId());
                return remember.then().then(applyRefunds(payment.paymentIntentId())).thenReturn(credited);
            });
    }

    /**
     * Records how much of a payment's charge is refunded (Stripe's cumulative {@code amount_refunded}) and debits the
     * credits not yet taken back for it; nothing when the payment is not known yet (its fulfilment will do it).
     */
    Mono<Void> refunded(String paymentIntentId, long chargeAmount, long chargeRefunded) {
        return db.sql("""
                insert into stripe_payment (payment_intent_id, charge_amount, charge_refunded)
                values (:pi, :amount, :refunded)
                on conflict (payment_intent_id) do update
                    set charge_amount = excluded.charge_amount,
                        charge_refunded = greatest(stripe_payment.charge_refunded, excluded.charge_refunded),
                        updated_at = now()""")
            .bind("pi", paymentIntentId)
            .bind("amount", chargeAmount)
            .bind("refunded", chargeRefunded)
            .then()
            .then(applyRefunds(paymentIntentId));
    }

    /**
     * {@code charge.dispute.funds_withdrawn}: the cardholder's bank took the payment back, so every credit it bought
     * is taken back (what refunds took already counted), and automatic top-up stops charging the tenant's saved card.
     * Nothing is debited when the payment is not known yet (its fulfilment will do it).
     */
    Mono<Void> disputed(String paymentIntentId) {
        return db.sql("""
                insert into stripe_payment (payment_intent_id, disputed) values (:pi, true)
                on conflict (payment_intent_id) do update set disputed = true, updated_at = now()
                returning tenant_id""")
            .bind("pi", paymentIntentId)
            .map(row -> Optional.ofNullable(row.get("tenant_id", UUID.class)))
            .one()
            .flatMap(tenant -> tenant.isEmpty() ? Mono.empty() : stopAutoTopUp(tenant.get()))
            .then(applyRefunds(paymentIntentId));
    }

    /** A disputed payment's card is not charged again: automatic top-up is switched off and the card forgotten. */
    private Mono<Void> stopAutoTopUp(UUID tenantId) {
        return db.sql("""
                update auto_topup set enabled = false, payment_method_id = null, updated_at = now()
                where tenant_id = :tenant""")
            .bind("tenant", tenantId)
            .then();
    }

    private Mono<Void> applyRefunds(String paymentIntentId) {
        return db.sql("""
                select tenant_id, credit_micros, charge_amount, charge_refunded, refunded_micros, disputed
                from stripe_payment where payment_intent_id = :pi for update""")
            .bind("pi", paymentIntentId)
            .map(row -> new PaymentState(row.get("tenant_id", UUID.class), row.get("credit_micros", Long.class),
                    row.get("charge_amount", Long.class), row.get("charge_refunded", Long.class),
                    row.get("refunded_micros", Long.class), Boolean.TRUE.equals(row.get("disputed", Boolean.class))))
            .one()
            .flatMap(state -> {
                if (state.tenantId() == null || state.creditMicros() == null
                        || (state.chargeAmount() == null && !state.disputed())) {
                    return Mono.empty();
                }
                // A dispute takes the whole payment back: Stripe's disputed amount is in the charge's currency,
                // which the credits' USD need not be, and is the whole charge but for rare partial disputes.
                long target = state.disputed() ? state.creditMicros()
                        : refundedCredits(state.creditMicros(), state.chargeAmount(), state.chargeRefunded());
                long debit = target - state.refundedMicros();
                if (debit <= 0) {
                    return Mono.empty();
                }
                log.info("{} of {}: debiting {} micros from tenant {}", state.disputed() ? "Dispute" : "Refund",
                        paymentIntentId, debit, state.tenantId());
                // A dispute that came before the payment was credited is applied now: its card is stopped now too.
                return (state.disputed() ? stopAutoTopUp(state.tenantId()) : Mono.<Void>empty())
                    .then(noTopUpFromRefund(state.tenantId()))
                    .then(credits.append(state.tenantId(), CreditKind.REFUND, -debit,
                        paymentIntentId + ":" + (state.disputed() ? "disputed" : state.chargeRefunded()),
                        state.disputed() ? "Card payment disputed" : "Refund of a card payment"))
                    .then(db.sql("""
                            update stripe_payment set refunded_micros = :target, updated_at = now()
                            where payment_intent_id = :pi""")
                        .bind("target", target)
                        .bind("pi", paymentIntentId)
                        .then());
            });
    }

    /**
     * The money went back to the card: topping the balance up from that card at once would take it again. Automatic
     * top-up is disarmed (armed again once the balance is back above its threshold) and an attempt waiting to be
     * tried again is cancelled unless it charged already. Done before the debit, so that the tenant's settings are
     * locked before its balance, in the order a top-up's completion takes them.
     */
    private Mono<Void> noTopUpFromRefund(UUID tenantId) {
        return db.sql("update auto_topup set armed = false where tenant_id = :tenant")
            .bind("tenant", tenantId)
            .then()
            .then(db.sql("""
                    update auto_topup_attempt set status = 'cancelled', error = null, updated_at = now()
                    where tenant_id = :tenant and status = 'pending' and payment_intent_id is null""")
                .bind("tenant", tenantId)
                .then());
    }

    /** The share of the credits a refund takes back: all of them for a full refund, pro rata for a partial one. */
    static long refundedCredits(long creditMicros, long chargeAmount, long chargeRefunded) {
        long refunded = Math.min(chargeRefunded, chargeAmount);
        return BigDecimal.valueOf(creditMicros).multiply(BigDecimal.valueOf(refunded))
            .divide(BigDecimal.valueOf(chargeAmount), 0, RoundingMode.HALF_UP)
            .longValueExact();
    }

    /**
     * A paid payment to credit.
     * @param externalRef the ledger's reference, unique per kind: the Checkout Session or the PaymentIntent
     */
    record Payment(UUID tenantId, CreditKind kind, long creditMicros, String externalRef, String description,
            @Nullable String paymentIntentId, @Nullable String checkoutSessionId) {
    }

    private record PaymentState(@Nullable UUID tenantId, @Nullable Long creditMicros, @Nullable Long chargeAmount,
            long chargeRefunded, long refundedMicros, boolean disputed) {
    }

}
