package dev.tollgate.billing;

import java.time.OffsetDateTime;
import java.util.UUID;

import org.jspecify.annotations.Nullable;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Mono;

import dev.tollgate.account.SessionUser;
import dev.tollgate.common.ApiException;
import dev.tollgate.common.DateParams;

/**
 * The operator's billing controls: a tenant's plan ({@code GET/PUT /api/operator/tenants/{id}/plan {"plan"}},
 * prepaid or postpaid) and the reconciliation of a postpaid tenant's usage with what Stripe received
 * ({@code GET /api/operator/billing/reconciliation?tenantId&from&to}). Operator role only.
 */
@RestController
class OperatorBillingController {

    private final TenantPlans plans;
    private final StripeCustomers customers;
    private final StripeApi stripe;
    private final Reconciliation reconciliation;

    OperatorBillingController(TenantPlans plans, StripeCustomers customers, StripeApi stripe,
            Reconciliation reconciliation) {
        this.plans = plans;
        this.customers = customers;
        this.stripe = stripe;
        this.reconciliation = reconciliation;
    }

    @GetMapping("/api/operator/tenants/{tenantId}/plan")
    Mono<PlanView> plan(@PathVariable UUID tenantId) {
        return plans.plan(tenantId).flatMap(plan -> view(tenantId, plan));
    }

    /**
     * Changes the tenant's plan from now on. A tenant made postpaid gets its Stripe customer at once (when Stripe is
     * configured), so that the operator can subscribe it to the metered price.
     */
    @PutMapping("/api/operator/tenants/{tenantId}/plan")
    Mono<PlanView> changePlan(@AuthenticationPrincipal SessionUser operator, @PathVariable UUID tenantId,
            @RequestBody PlanRequest request) {
        if (request.plan() == null) {
            throw ApiException.invalidParam("plan", "plan is required: 'prepaid' or 'postpaid'.");
        }
        return plans.change(tenantId, request.plan(), operator.email())
            .flatMap(plan -> TenantPlans.POSTPAID.equals(plan.plan()) && stripe.enabled()
                    ? customers.customerFor(tenantId).onErrorResume(error -> Mono.empty()).thenReturn(plan)
                    : Mono.just(plan))
            .flatMap(plan -> view(tenantId, plan));
    }

    @GetMapping("/api/operator/billing/reconciliation")
    Mono<Reconciliation.Report> reconcile(@RequestParam(required = false) @Nullable UUID tenantId,
            @RequestParam(required = false) @Nullable String from, @RequestParam(required = false) @Nullable String to) {
        if (tenantId == null) {
            throw ApiException.invalidParam("tenantId", "tenantId is required.");
        }
        DateParams.Window window = DateParams.window(from, to, null);
        return reconciliation.of(tenantId, window.from(), window.to());
    }

    private Mono<PlanView> view(UUID tenantId, TenantPlans.Plan plan) {
        return customers.find(tenantId)
            .map(customer -> new PlanView(tenantId, plan.plan(), plan.since(), customer))
            .defaultIfEmpty(new PlanView(tenantId, plan.plan(), plan.since(), null));
    }

    record PlanRequest(@Nullable String plan) {
    }

    record PlanView(UUID tenantId, String plan, @Nullable OffsetDateTime since, @Nullable String stripeCustomerId) {
    }

}
