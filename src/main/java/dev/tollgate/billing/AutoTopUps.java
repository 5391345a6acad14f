package dev.tollgate.billing;

import java.util.Map;
import java.util.UUID;

import com.stripe.exception.StripeException;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.reactive.TransactionalOperator;
import reactor.core.publisher.Mono;

import dev.tollgate.billing.AutoTopUpAttempts.Attempt;
import dev.tollgate.common.PeriodicJob;
import dev.tollgate.common.SecureIds;
import dev.tollgate.credits.CreditKind;

/**
 * Automatic top-up: when a tenant's balance is below its threshold, its saved card is charged off-session for the
 * chosen amount (plus the purchase fee) and the credits land as {@code auto_topup}, once per PaymentIntent.
 * <p>
 * The trigger is a background check of balances every {@code tollgate.stripe.auto-topup.check-interval} rather than a
 * hook on the request path: the balance that matters is the database's (every instance spends from it), the check is
 * one indexed query over the tenants that enabled it, and neither Stripe nor an extra query ever delays a request. The
 * cost is a few seconds between crossing the threshold and the charge, which a threshold must cover.
 * <p>
 * Once, whatever the concurrency: an attempt is started under a lock of the tenant's settings row, which re-checks the
 * balance and finds any attempt still pending (at most one can be, by a unique partial index); completing an attempt
 * takes the same lock. Each attempt has one Stripe idempotency key, so a retry after an unknown outcome charges at
 * most once. A declined card stops automatic top-up until the tenant saves its settings or a card again. An attempt
 * that has not reached Stripe is checked again before each try, and cancelled once no longer wanted.
 * <p>
 * Once per fall below the threshold: starting an attempt disarms the tenant's automatic top-up, which is armed again
 * when the balance is seen at or above the threshold (normally right after the top-up), or the settings are saved.
 * <p>
 * A top-up keeps a balance up; it never pays off a debt it cannot clear. A balance below zero by more than the
 * top-up's amount (a refund's, or what a postpaid period left when the tenant went back to prepaid) starts no attempt:
 * each charge would leave the balance still below the threshold, and the next check would charge again, hundreds of
 * times for a large debt. That debt takes a top-up on the dashboard or an operator's adjustment.
 */
@Component
final class AutoTopUps implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(AutoTopUps.class);

    /**
     * A tenant whose automatic top-up wants a charge now ({@code a}: its {@code auto_topup} row, {@code b}: its
     * {@code credit_balance}): enabled, with a card, below the threshold by less than a debt the amount cannot clear,
     * and not on a postpaid plan. Whether it is armed, and whether an attempt is already under way, are the caller's.
     */
    private static final String WANTS_TOP_UP = """
            a.enabled and a.payment_method_id is not null
              and b.balance_micros < a.threshold_micros and b.balance_micros + a.amount_micros > 0
              and not exists (select 1 from tenant_plan_period p where p.tenant_id = a.tenant_id
                              and p.plan = 'postpaid' and p.ended_at is null)
            """;

    private final DatabaseClient db;
    private final AutoTopUpAttempts attempts;
    private final TransactionalOperator transaction;
    private final StripeApi stripe;
    private final StripePayments payments;
    private final TopUpPricing pricing;
    private final StripeProperties properties;
    private final AutoTopUpSettings settings;
    private final PeriodicJob job;

    AutoTopUps(DatabaseClient db, AutoTopUpAttempts attempts, TransactionalOperator transaction, StripeApi stripe,
            StripePayments payments, TopUpPricing pricing, StripeProperties properties, AutoTopUpSettings settings) {
        this.db = db;
        this.settings = settings;
        this.attempts = attempts;
        this.transaction = transaction;
        this.stripe = stripe;
        this.payments = payments;
        this.pricing = pricing;
        this.properties = properties;
        this.job = new PeriodicJob("Automatic top-up check", properties.autoTopup().checkInterval(), this::checkNow);
    }

    /** One round: starts an attempt for every tenant below its threshold, then charges the attempts that are due. */
    Mono<Void> checkNow() {
        return rearm(null).then(startAttempts()).then(chargeDueAttempts());
    }

    /**
     * Arms automatic top-up again where the balance is at or above the threshold (for one tenant, or all): the next
     * fall below it is a new one to top up. A top-up that left the balance below the threshold is not followed by
     * another and another (a $5 top-up under a $1,000 threshold charged the card 200 times, every few seconds).
     */
    private Mono<Void> rearm(@Nullable UUID tenantId) {
        DatabaseClient.GenericExecuteSpec rearm = db.sql("""
                update auto_topup a set armed = true from credit_balance b
                where b.tenant_id = a.tenant_id and not a.armed and b.balance_micros >= a.threshold_micros
                  and (cast(:tenant as uuid) is null or a.tenant_id = :tenant)""");
        return (tenantId == null ? rearm.bindNull("tenant", UUID.class) : rearm.bind("tenant", tenantId)).then();
    }

    private Mono<Void> startAttempts() {
        return db.sql("select a.tenant_id from auto_topup a join credit_balance b on b.tenant_id = a.tenant_id"
                + " where a.armed and " + WANTS_TOP_UP + """
                  and not exists (select 1 from auto_topup_attempt t where t.tenant_id = a.tenant_id
                                  and (t.status = 'pending' or (t.status = 'failed' and t.created_at >= a.updated_at)))""")
            .map(row -> row.get(0, UUID.class))
            .all()
            .concatMap(this::startAttempt)
            .then();
    }

    /** Starts an attempt unless, under the settings row's lock, the balance is no longer low or one is pending. */
    private Mono<Void> startAttempt(UUID tenantId) {
        Mono<Void> start = lockSettings(tenantId).then(db.sql("""
                select a.amount_micros from auto_topup a join credit_balance b on b.tenant_id = a.tenant_id
                where a.tenant_id = :tenant and a.enabled and a.armed and a.payment_method_id is not null
                  and b.balance_micros < a.threshold_micros and b.balance_micros + a.amount_micros > 0
                  and not exists (select 1 from auto_topup_attempt t where t.tenant_id = a.tenant_id
                                  and (t.status = 'pending' or (t.status = 'failed' and t.created_at >= a.updated_at)))""")
            .bind("tenant", tenantId)
            .map(row -> row.get(0, Long.class))
            .one()
            .flatMap(credit -> db.sql("""
                    insert into auto_topup_attempt (id, tenant_id, credit_micros, amount_cents, status)
                    values (:id, :tenant, :credit, :cents, 'pending')
                    on conflict (tenant_id) where status = 'pending' do nothing""")
                .bind("id", SecureIds.uuid())
                .bind("tenant", tenantId)
                .bind("credit", credit)
                .bind("cents", chargeCents(credit))
                .then()
                .then(db.sql("update auto_topup set armed = false where tenant_id = :tenant")
                    .bind("tenant", tenantId)
                    .then())));
        return transaction.transactional(start)
            .onErrorResume(error -> {
                log.warn("Could not start an automatic top-up for tenant {}: {}", tenantId, error.toString());
                return Mono.empty();
            });
    }

    private Mono<Void> chargeDueAttempts() {
        return attempts.claimDue()
            .concatMap(attempt -> charge(attempt).onErrorResume(error -> {
                log.warn("Automatic top-up attempt {} left pending: {}", attempt.id(), error.toString());
                return Mono.empty();
            }))
            .then();
    }

    private Mono<Void> charge(Attempt attempt) {
        if (attempt.paymentIntentId() != null) {
            return charge(attempt, stripe.paymentIntent(attempt.paymentIntentId()));
        }
        // Not charged yet, as far as this instance knows: an attempt left pending by a transient failure may be tried
        // again an hour later, when the tenant may have turned automatic top-up off, topped up by hand, gone
        // postpaid or changed the amount. Cancelled then; should an earlier try have reached Stripe after all, its
        // payment_intent.succeeded still credits it.
        return stillWanted(attempt).flatMap(wanted -> switch (wanted) {
            case WANTED -> charge(attempt, chargeCard(attempt));
            case NOT_WANTED -> attempts.cancel(attempt.id()).then(arm(attempt.tenantId()));
            // Cancelled since it was claimed (a refund does that, and disarms): nothing to charge, nothing to arm.
            case ENDED -> Mono.empty();
        });
    }

    private Mono<Wanted> stillWanted(Attempt attempt) {
        return db.sql("select (select status from auto_topup_attempt where id = :attempt) = 'pending',"
                + " exists (select 1 from auto_topup a join credit_balance b on b.tenant_id = a.tenant_id"
                + " where a.tenant_id = :tenant and a.amount_micros = :credit and " + WANTS_TOP_UP + ")")
            .bind("attempt", attempt.id())
            .bind("tenant", attempt.tenantId())
            .bind("credit", attempt.creditMicros())
            .map(row -> !Boolean.TRUE.equals(row.get(0, Boolean.class)) ? Wanted.ENDED
                    : Boolean.TRUE.equals(row.get(1, Boolean.class)) ? Wanted.WANTED : Wanted.NOT_WANTED)
            .one();
    }

    /** Whether an attempt about to be charged still should be. */
    private enum Wanted {
        WANTED, NOT_WANTED, ENDED
    }

    private Mono<Void> arm(UUID tenantId) {
        return db.sql("update auto_topup set armed = true where tenant_id = :tenant").bind("tenant", tenantId).then();
    }

    private Mono<StripeApi.ChargeOutcome> chargeCard(Attempt attempt) {
        return card(attempt.tenantId())
            .flatMap(card -> stripe.chargeOffSession(card.customerId(), card.paymentMethodId(), attempt.amountCents(),
                    Map.of(StripeMetadata.PURPOSE, StripeMetadata.AUTO_TOPUP,
                        StripeMetadata.TENANT_ID, attempt.tenantId().toString(),
                        StripeMetadata.CREDIT_MICROS, Long.toString(attempt.creditMicros()),
                        StripeMetadata.ATTEMPT_ID, attempt.id().toString()),
                    "Tollgate automatic top-up", "tollgate-auto-topup-" + attempt.id()))
            .switchIfEmpty(Mono.error(new IllegalStateException("No saved card to charge.")));
    }

    private Mono<Void> charge(Attempt attempt, Mono<StripeApi.ChargeOutcome> outcome) {
        // Only Stripe's failures decide the attempt's fate here; a database failure afterwards leaves it pending, to be
        // tried again with the same idempotency key (Stripe then answers the same PaymentIntent).
        return outcome
            .onErrorResume(error -> failed(attempt, error).then(Mono.empty()))
            .flatMap(result -> {
                if (result.succeeded() && result.paymentIntentId() != null) {
                    return complete(attempt.tenantId(), attempt.id(), result.paymentIntentId(), attempt.creditMicros());
                }
                if (result.pending()) {
                    // Stripe finishes it later and says so with payment_intent.succeeded or .payment_failed.
                    return attempts.retryLater(attempt, result.paymentIntentId(), null);
                }
                return attempts.fail(attempt.id(), result.paymentIntentId(), result.error() != null ? result.error()
                        : "The card could not be charged without the cardholder (" + result.status()
                                + "). Top up once on the dashboard to confirm it.");
            });
    }

    /**
     * A try that threw rather than answered: Stripe unreachable or failing (tried again), the operator's Stripe key
     * refused (tried again, since the operator will mend it for every tenant at once, and logged for them), or
     * anything else (the attempt fails). What the tenant is shown never is the operator's: not Stripe's words about
     * its key, nor a database's.
     */
    private Mono<Void> failed(Attempt attempt, Throwable error) {
        if (StripeApi.operatorFailure(error)) {
            log.error("Stripe refused the operator's key charging automatic top-up attempt {}: {}", attempt.id(),
                    StripeApi.message(error));
            return attempts.retryLater(attempt, null,
                    "Payments are unavailable right now; automatic top-up will try again.");
        }
        if (StripeApi.transientFailure(error)) {
            return attempts.retryLater(attempt, null, StripeApi.message(error));
        }
        log.warn("Automatic top-up attempt {} could not be charged: {}", attempt.id(), error.toString());
        return attempts.fail(attempt.id(), null, error instanceof StripeException
                ? "The saved card could not be charged (" + StripeApi.message(error)
                        + "). Save a card again with a top-up on the dashboard."
                : "The saved card could not be charged. Save a card again with a top-up on the dashboard.");
    }

    /** Credits a succeeded automatic top-up once (by PaymentIntent) and closes its attempt, under the settings lock. */
    private Mono<Void> complete(UUID tenantId, UUID attemptId, String paymentIntentId, long creditMicros) {
        Mono<Void> work = lockSettings(tenantId)
            .then(payments.credit(new StripePayments.Payment(tenantId, CreditKind.AUTO_TOPUP, creditMicros,
                    paymentIntentId, "Automatic top-up", paymentIntentId, null)))
            .then(attempts.succeeded(attemptId, paymentIntentId))
            // Armed again when this top-up lifted the balance to the threshold: a fall below it is a new one.
            .then(rearm(tenantId));
        return transaction.transactional(work)
            .doOnSuccess(done -> log.info("Automatic top-up {} of tenant {} succeeded", paymentIntentId, tenantId));
    }

    /**
     * {@code payment_intent.succeeded}: an automatic top-up confirmed (or one whose synchronous answer was lost) is
     * credited, or a Checkout top-up that saved its card makes that card the one automatic top-up charges.
     */
    Mono<Void> paymentSucceeded(StripeEvent event) {
        String purpose = event.metadata(StripeMetadata.PURPOSE);
        UUID tenant = uuid(event.metadata(StripeMetadata.TENANT_ID));
        if (tenant == null) {
            return Mono.empty();
        }
        if (StripeMetadata.AUTO_TOPUP.equals(purpose)) {
            UUID attempt = uuid(event.metadata(StripeMetadata.ATTEMPT_ID));
            long credit = parseLong(event.metadata(StripeMetadata.CREDIT_MICROS));
            if (attempt == null || credit <= 0) {
                log.error("PaymentIntent {} of an automatic top-up lacks its metadata; not credited", event.text("id"));
                return Mono.empty();
            }
            return complete(tenant, attempt, event.text("id"), credit);
        }
        String card = event.reference("payment_method");
        if (StripeMetadata.TOPUP.equals(purpose) && "off_session".equals(event.text("setup_future_usage"))
                && !card.isEmpty()) {
            return settings.saveCard(tenant, card, event.text("id"));
        }
        return Mono.empty();
    }

    /** {@code payment_intent.payment_failed} of an automatic top-up: the attempt fails and the tenant sees why. */
    Mono<Void> paymentFailed(StripeEvent event) {
        UUID attempt = uuid(event.metadata(StripeMetadata.ATTEMPT_ID));
        if (!StripeMetadata.AUTO_TOPUP.equals(event.metadata(StripeMetadata.PURPOSE)) || attempt == null) {
            return Mono.empty();
        }
        String error = event.object().path("last_payment_error").path("message").asString("The card was declined.");
        return attempts.fail(attempt, event.text("id"), error);
    }

    private Mono<Void> lockSettings(UUID tenantId) {
        return db.sql("select 1 from auto_topup where tenant_id = :tenant for update").bind("tenant", tenantId).then();
    }

    private Mono<Card> card(UUID tenantId) {
        return db.sql("""
                select c.customer_id, a.payment_method_id from auto_topup a
                join stripe_customer c on c.tenant_id = a.tenant_id
                where a.tenant_id = :tenant and a.payment_method_id is not null""")
            .bind("tenant", tenantId)
            .map(row -> new Card(row.get("customer_id", String.class), row.get("payment_method_id", String.class)))
            .one();
    }

    private long chargeCents(long creditMicros) {
        long cents = (creditMicros + 9_999) / 10_000;
        return cents + pricing.fee(cents);
    }

    private static @Nullable UUID uuid(String value) {
        try {
            return value.isEmpty() ? null : UUID.fromString(value);
        }
        catch (IllegalArgumentException ex) {
            return null;
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

    @Override
    public void start() {
        if (stripe.enabled()) {
            job.start();
        }
    }

    @Override
    public void stop() {
        job.stop();
    }

    @Override
    public boolean isRunning() {
        return job.isRunning();
    }

    private record Card(String customerId, String paymentMethodId) {
    }

}
