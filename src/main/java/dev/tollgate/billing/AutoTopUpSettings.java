package dev.tollgate.billing;

import java.util.UUID;

import org.jspecify.annotations.Nullable;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;

/**
 * A tenant's automatic top-up settings as it sees and saves them, and the card a Checkout top-up saved for it. The
 * charging itself, from these settings, is {@link AutoTopUps}'.
 */
@Component
final class AutoTopUpSettings {

    private final DatabaseClient db;

    AutoTopUpSettings(DatabaseClient db) {
        this.db = db;
    }

    Mono<Settings> of(UUID tenantId) {
        return db.sql("""
                select a.enabled, a.threshold_micros, a.amount_micros, a.payment_method_id is not null as has_card,
                    (select case when t.status in ('succeeded', 'cancelled') then null else t.error end
                     from auto_topup_attempt t
                     where t.tenant_id = a.tenant_id order by t.created_at desc limit 1) as last_error
                from auto_topup a where a.tenant_id = :tenant""")
            .bind("tenant", tenantId)
            .map(row -> new Settings(Boolean.TRUE.equals(row.get("enabled", Boolean.class)),
                    row.get("threshold_micros", Long.class), row.get("amount_micros", Long.class),
                    Boolean.TRUE.equals(row.get("has_card", Boolean.class)), row.get("last_error", String.class)))
            .one()
            .defaultIfEmpty(new Settings(false, null, null, false, null));
    }

    /** Saves the tenant's settings; saving also lets automatic top-up try again after a declined card. */
    Mono<Settings> save(UUID tenantId, boolean enabled, long thresholdMicros, long amountMicros) {
        return db.sql("""
                insert into auto_topup (tenant_id, enabled, threshold_micros, amount_micros)
                values (:tenant, :enabled, :threshold, :amount)
                on conflict (tenant_id) do update set enabled = excluded.enabled,
                    threshold_micros = excluded.threshold_micros, amount_micros = excluded.amount_micros,
                    armed = true, updated_at = now()""")
            .bind("tenant", tenantId)
            .bind("enabled", enabled)
            .bind("threshold", thresholdMicros)
            .bind("amount", amountMicros)
            .then()
            .then(of(tenantId));
    }

    /**
     * Remembers the card a tenant agreed to have charged off-session (saved by a Checkout top-up), unless the payment
     * that saved it was disputed already (Stripe's events come in any order).
     */
    Mono<Void> saveCard(UUID tenantId, String paymentMethodId, String paymentIntentId) {
        return db.sql("""
                insert into auto_topup (tenant_id, payment_method_id)
                select :tenant, :card
                where not exists (select 1 from stripe_payment where payment_intent_id = :pi and disputed)
                on conflict (tenant_id) do update set payment_method_id = excluded.payment_method_id,
                    updated_at = now()""")
            .bind("tenant", tenantId)
            .bind("card", paymentMethodId)
            .bind("pi", paymentIntentId)
            .then();
    }

    /**
     * A tenant's automatic top-up.
     * @param thresholdMicros null until the tenant sets it (and {@code amountMicros} likewise)
     * @param lastError why the latest attempt failed (or is being retried), null when it succeeded or none was made
     */
    record Settings(boolean enabled, @Nullable Long thresholdMicros, @Nullable Long amountMicros,
            boolean hasPaymentMethod, @Nullable String lastError) {
    }

}
