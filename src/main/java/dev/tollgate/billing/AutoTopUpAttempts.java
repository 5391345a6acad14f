package dev.tollgate.billing;

import java.time.Duration;
import java.util.UUID;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * What an automatic top-up attempt goes through in the database ({@code auto_topup_attempt}): claimed by one
 * instance for a try, then retried later with backoff, failed, cancelled or succeeded. Each change touches a pending
 * attempt only (success excepted, which a webhook may report after a failure), so concurrent reports cannot undo one
 * another. When to start an attempt and what a try's outcome means is {@link AutoTopUps}'.
 */
@Component
final class AutoTopUpAttempts {

    private static final Logger log = LoggerFactory.getLogger(AutoTopUpAttempts.class);

    /** How long a claimed attempt is this instance's: another may try it after that (the same idempotency key). */
    private static final Duration CLAIM = Duration.ofMinutes(2);

    private static final Duration MAX_BACKOFF = Duration.ofHours(1);

    private final DatabaseClient db;
    private final StripeProperties properties;

    AutoTopUpAttempts(DatabaseClient db, StripeProperties properties) {
        this.db = db;
        this.properties = properties;
    }

    /** Claims up to 20 pending attempts that are due, counting a try for each. */
    Flux<Attempt> claimDue() {
        return db.sql("""
                update auto_topup_attempt t set tries = t.tries + 1, updated_at = now(),
                    next_try_at = now() + :claim * interval '1 millisecond'
                from (select id from auto_topup_attempt where status = 'pending' and next_try_at <= now()
                      order by next_try_at limit 20 for update skip locked) due
                where t.id = due.id
                returning t.id, t.tenant_id, t.credit_micros, t.amount_cents, t.payment_intent_id, t.tries""")
            .bind("claim", CLAIM.toMillis())
            .map(row -> new Attempt(row.get("id", UUID.class), row.get("tenant_id", UUID.class),
                    row.get("credit_micros", Long.class), row.get("amount_cents", Long.class),
                    row.get("payment_intent_id", String.class), row.get("tries", Integer.class)))
            .all();
    }

    Mono<Void> cancel(UUID attemptId) {
        log.info("Automatic top-up attempt {} cancelled: no longer wanted", attemptId);
        return db.sql("""
                update auto_topup_attempt set status = 'cancelled', error = null, updated_at = now()
                where id = :id and status = 'pending'""")
            .bind("id", attemptId)
            .then();
    }

    Mono<Void> succeeded(UUID attemptId, String paymentIntentId) {
        return db.sql("""
                update auto_topup_attempt set status = 'succeeded', payment_intent_id = :pi, error = null,
                    updated_at = now()
                where id = :id and status <> 'succeeded'""")
            .bind("pi", paymentIntentId)
            .bind("id", attemptId)
            .then();
    }

    Mono<Void> fail(UUID attemptId, @Nullable String paymentIntentId, String error) {
        log.warn("Automatic top-up attempt {} failed: {}", attemptId, error);
        DatabaseClient.GenericExecuteSpec update = db.sql("""
                update auto_topup_attempt set status = 'failed', error = :error, updated_at = now(),
                    payment_intent_id = coalesce(payment_intent_id, :pi)
                where id = :id and status = 'pending'""")
            .bind("error", error)
            .bind("id", attemptId);
        return (paymentIntentId == null ? update.bindNull("pi", String.class) : update.bind("pi", paymentIntentId))
            .then();
    }

    /** Tried again after a backoff doubling with each try, up to an hour; {@code error} is what the tenant sees. */
    Mono<Void> retryLater(Attempt attempt, @Nullable String paymentIntentId, @Nullable String error) {
        long backoff = Math.min(properties.autoTopup().retryBackoff().toMillis()
                * (1L << Math.min(attempt.tries() - 1, 16)), MAX_BACKOFF.toMillis());
        DatabaseClient.GenericExecuteSpec update = db.sql("""
                update auto_topup_attempt set next_try_at = now() + :backoff * interval '1 millisecond',
                    error = :error, payment_intent_id = coalesce(payment_intent_id, :pi), updated_at = now()
                where id = :id and status = 'pending'""")
            .bind("backoff", backoff)
            .bind("id", attempt.id());
        update = error == null ? update.bindNull("error", String.class) : update.bind("error", error);
        return (paymentIntentId == null ? update.bindNull("pi", String.class) : update.bind("pi", paymentIntentId))
            .then();
    }

    /** A claimed attempt: its credits, what it charges the card, the PaymentIntent once one exists, its tries. */
    record Attempt(UUID id, UUID tenantId, long creditMicros, long amountCents, @Nullable String paymentIntentId,
            int tries) {
    }

}
