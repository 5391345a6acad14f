package dev.tollgate.billing;

import java.math.BigDecimal;

import com.stripe.param.checkout.SessionCreateParams;
import com.stripe.param.checkout.SessionCreateParams.LineItem;
import com.stripe.param.checkout.SessionCreateParams.LineItem.PriceData;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpStatus;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Mono;

import dev.tollgate.account.SessionUser;
import dev.tollgate.common.ApiException;

/**
 * Top-ups with Stripe Checkout. {@code GET /api/billing/config} tells the dashboard whether card payments work and what
 * they cost; {@code POST /api/billing/checkout {"amountUsd","saveCard"?}} opens a Checkout Session for that many
 * dollars of credits plus the purchase fee, and answers its {@code url}. The credits arrive with the webhook. The card
 * is saved for automatic top-up unless {@code saveCard} is false.
 */
@RestController
class CheckoutController {

    private static final Logger log = LoggerFactory.getLogger(CheckoutController.class);

    private final StripeApi stripe;
    private final StripeCustomers customers;
    private final StripeProperties properties;
    private final TopUpPricing pricing;
    private final TenantPlans plans;

    CheckoutController(StripeApi stripe, StripeCustomers customers, StripeProperties properties,
            TopUpPricing pricing, TenantPlans plans) {
        this.stripe = stripe;
        this.customers = customers;
        this.properties = properties;
        this.pricing = pricing;
        this.plans = plans;
    }

    @GetMapping("/api/billing/config")
    BillingConfig config() {
        return new BillingConfig(stripe.enabled(), pricing.minUsd(), pricing.maxUsd(), pricing.feePercent(),
                pricing.feeFixedUsd());
    }

    @PostMapping("/api/billing/checkout")
    Mono<CheckoutUrl> checkout(@AuthenticationPrincipal SessionUser user, @RequestBody TopUpRequest request) {
        if (!stripe.enabled()) {
            throw BillingErrors.notConfigured();
        }
        if (request.amountUsd() == null) {
            throw ApiException.invalidParam("amountUsd", "amountUsd is required.");
        }
        TopUpPricing.TopUp topUp = pricing.quote(request.amountUsd(), "amountUsd");
        // A postpaid tenant's usage is invoiced by Stripe and debited all the same: credits bought now would pay for
        // usage the invoice charges again.
        Mono<Void> prepaid = plans.isPostpaid(user.tenantId()).flatMap(postpaid -> postpaid
                ? Mono.error(new ApiException(HttpStatus.CONFLICT, "invalid_request_error", "postpaid_plan",
                        "This organization is on a postpaid plan: its usage is invoiced, and credits cannot be bought."))
                : Mono.empty());
        // The card is kept for automatic top-up unless the tenant says not to (the dashboard offers "the card of your
        // last purchase"); Checkout tells the payer that it will be saved.
        boolean saveCard = !Boolean.FALSE.equals(request.saveCard());
        return prepaid.then(customers.customerFor(user.tenantId()))
            .flatMap(customer -> stripe.createCheckoutSession(session(user, customer, topUp, saveCard)))
            .map(session -> new CheckoutUrl(session.getUrl()))
            .onErrorMap(error -> !(error instanceof ApiException), error -> {
                log.warn("Could not open a Checkout Session for tenant {}: {}", user.tenantId(),
                        StripeApi.message(error));
                return BillingErrors.stripeUnavailable();
            });
    }

    private SessionCreateParams session(SessionUser user, String customer, TopUpPricing.TopUp topUp,
            boolean saveCard) {
        String tenant = user.tenantId().toString();
        SessionCreateParams.PaymentIntentData.Builder intent = SessionCreateParams.PaymentIntentData.builder()
            .setDescription("Tollgate credits")
            .putMetadata(StripeMetadata.PURPOSE, StripeMetadata.TOPUP)
            .putMetadata(StripeMetadata.TENANT_ID, tenant)
            .putMetadata(StripeMetadata.CREDIT_MICROS, Long.toString(topUp.creditMicros()));
        if (saveCard) {
            // Saved for automatic top-up, which charges it without the customer present.
            intent.setSetupFutureUsage(SessionCreateParams.PaymentIntentData.SetupFutureUsage.OFF_SESSION);
        }
        SessionCreateParams.Builder session = SessionCreateParams.builder()
            .setMode(SessionCreateParams.Mode.PAYMENT)
            .setCustomer(customer)
            .setClientReferenceId(tenant)
            .putMetadata(StripeMetadata.PURPOSE, StripeMetadata.TOPUP)
            .putMetadata(StripeMetadata.TENANT_ID, tenant)
            .putMetadata(StripeMetadata.CREDIT_MICROS, Long.toString(topUp.creditMicros()))
            .putMetadata(StripeMetadata.FEE_MICROS, Long.toString(topUp.feeMicros()))
            .setPaymentIntentData(intent.build())
            .setSuccessUrl(properties.checkout().successUrl())
            .setCancelUrl(properties.checkout().cancelUrl())
            .addLineItem(lineItem("Tollgate credits", topUp.creditCents()));
        if (topUp.feeCents() > 0) {
            session.addLineItem(lineItem("Payment processing fee", topUp.feeCents()));
        }
        return session.build();
    }

    private static LineItem lineItem(String name, long cents) {
        return LineItem.builder()
            .setQuantity(1L)
            .setPriceData(PriceData.builder()
                .setCurrency(StripeApi.CURRENCY)
                .setUnitAmount(cents)
                .setProductData(PriceData.ProductData.builder().setName(name).build())
                .build())
            .build();
    }

    record TopUpRequest(@Nullable BigDecimal amountUsd, @Nullable Boolean saveCard) {
    }

    record CheckoutUrl(String url) {
    }

    record BillingConfig(boolean enabled, BigDecimal minUsd, BigDecimal maxUsd, BigDecimal feePercent,
            BigDecimal feeFixedUsd) {
    }

}
