package dev.tollgate.billing;

import java.time.OffsetDateTime;
import java.util.HashSet;
import java.util.Locale;
import java.util.Set;
import java.util.UUID;

import org.jspecify.annotations.Nullable;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.http.HttpStatus;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;
import org.springframework.transaction.reactive.TransactionalOperator;
import reactor.core.publisher.Mono;

import dev.tollgate.common.ApiException;
import dev.tollgate.common.RefreshingSnapshot;
import dev.tollgate.credits.CreditService;
import dev.tollgate.database.ClusterEvents;
import dev.tollgate.database.DatabaseMigrations;

/**
 * Tenants' billing plans: prepaid (the default) or postpaid. Admission asks {@link #isPostpaid} from an in-memory
 * set of postpaid tenants, re-read at once on every instance when a plan changes (a cluster event), and every
 * {@code tollgate.stripe.plans-refresh-interval} in case an event was missed.
 */
@Component
final class TenantPlans implements CreditService.PostpaidTenants {

    static final String PREPAID = "prepaid";

    static final String POSTPAID = "postpaid";

    private static final String PLANS_CHANGED = "plans-changed";

    private final DatabaseClient db;
    private final TransactionalOperator transaction;
    private final ClusterEvents events;
    private final RefreshingSnapshot<Set<UUID>> postpaid;

    TenantPlans(DatabaseClient db, TransactionalOperator transaction, ClusterEvents events,
            DatabaseMigrations migrated) {
        this.db = db;
        this.transaction = transaction;
        this.events = events;
        this.postpaid = new RefreshingSnapshot<>("postpaid tenants", () -> db.sql(
                "select tenant_id from tenant_plan_period where ended_at is null and plan = 'postpaid'")
            .map(row -> row.get(0, UUID.class))
            .all()
            .collect(HashSet<UUID>::new, Set::add)
            .map(Set::copyOf));
        events.on(PLANS_CHANGED, ignored -> postpaid.refresh());
    }

    @Override
    public Mono<Boolean> isPostpaid(UUID tenantId) {
        return postpaid.map(tenants -> tenants.contains(tenantId));
    }

    /** The tenant's current plan, read from the database. */
    Mono<Plan> plan(UUID tenantId) {
        return db.sql("select plan, started_at from tenant_plan_period where tenant_id = :tenant and ended_at is null")
            .bind("tenant", tenantId)
            .map(row -> new Plan(row.get("plan", String.class), row.get("started_at", OffsetDateTime.class)))
            .one()
            .defaultIfEmpty(new Plan(PREPAID, null));
    }

    /**
     * Moves the tenant to a plan from now on (closing the current period); this instance sees it at once, the others
     * as soon as the cluster event reaches them.
     * @throws ApiException 400 for an unknown plan, 404 for an unknown tenant
     */
    Mono<Plan> change(UUID tenantId, String requested, String changedBy) {
        String plan = requested.trim().toLowerCase(Locale.ROOT);
        if (!PREPAID.equals(plan) && !POSTPAID.equals(plan)) {
            throw ApiException.invalidParam("plan", "plan must be 'prepaid' or 'postpaid'.");
        }
        Mono<Void> lock = db.sql("select 1 from tenant_plan_period where tenant_id = :tenant and ended_at is null "
                + "for update").bind("tenant", tenantId).then();
        Mono<Plan> change = lock.then(plan(tenantId)).flatMap(current -> {
            if (current.plan().equals(plan) && current.since() != null) {
                return Mono.just(current);
            }
            return db.sql("update tenant_plan_period set ended_at = now() where tenant_id = :tenant "
                    + "and ended_at is null")
                .bind("tenant", tenantId)
                .then()
                .then(db.sql("""
                        insert into tenant_plan_period (tenant_id, plan, started_at, changed_by)
                        values (:tenant, :plan, now(), :by) returning started_at""")
                    .bind("tenant", tenantId)
                    .bind("plan", plan)
                    .bind("by", changedBy)
                    .map(row -> new Plan(plan, row.get(0, OffsetDateTime.class)))
                    .one());
        });
        return transaction.transactional(change)
            .onErrorMap(DataIntegrityViolationException.class, ex -> ex.getMessage() != null
                    && ex.getMessage().contains("tenant_plan_period_open")
                    ? new ApiException(HttpStatus.CONFLICT, "invalid_request_error", "conflict",
                            "The plan was changed at the same time; read it and try again.")
                    : ApiException.notFound("Tenant"))
            .flatMap(changed -> postpaid.reload()
                .then(events.publish(PLANS_CHANGED, tenantId.toString()).onErrorResume(error -> Mono.empty()))
                .thenReturn(changed));
    }

    @Scheduled(fixedDelayString = "${tollgate.stripe.plans-refresh-interval:10s}")
    void refresh() {
        postpaid.refresh();
    }

    /** A plan and since when it applies (null for a tenant that has always been prepaid). */
    record Plan(String plan, @Nullable OffsetDateTime since) {
    }

}
