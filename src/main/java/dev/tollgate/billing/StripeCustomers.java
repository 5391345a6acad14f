package dev.tollgate.billing;

import java.util.UUID;

import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;

/** Each tenant's Stripe customer, created on first need and remembered. */
@Component
final class StripeCustomers {

    private final DatabaseClient db;
    private final StripeApi stripe;

    StripeCustomers(DatabaseClient db, StripeApi stripe) {
        this.db = db;
        this.stripe = stripe;
    }

    /**
     * The tenant's customer id, creating the customer at Stripe if it has none yet. Concurrent first calls (on any
     * instance) get the same customer: Stripe answers them from one idempotency key, and the first row written wins.
     * The others' rows conflict on the tenant and on the customer id alike, and whichever unique index PostgreSQL
     * checks first must not turn that into an error (it was a 502 for a tenant opening several Checkouts at once).
     */
    Mono<String> customerFor(UUID tenantId) {
        return find(tenantId).switchIfEmpty(Mono.defer(() -> stripe.createCustomer(tenantId)
            .flatMap(created -> db.sql("""
                    insert into stripe_customer (tenant_id, customer_id) values (:tenant, :customer)
                    on conflict do nothing""")
                .bind("tenant", tenantId)
                .bind("customer", created)
                .then()
                .then(find(tenantId)))));
    }

    Mono<String> find(UUID tenantId) {
        return db.sql("select customer_id from stripe_customer where tenant_id = :tenant")
            .bind("tenant", tenantId)
            .map(row -> row.get(0, String.class))
            .one();
    }

}
