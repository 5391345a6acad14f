package dev.tollgate.billing;

import java.math.BigDecimal;

import org.jspecify.annotations.Nullable;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Mono;

import dev.tollgate.account.SessionUser;
import dev.tollgate.common.ApiException;
import dev.tollgate.common.Money;

/**
 * {@code GET/PUT /api/billing/auto-topup {"enabled","thresholdUsd","amountUsd"}}: the tenant's automatic top-up, with
 * whether a card is saved for it ({@code hasPaymentMethod}; a Checkout top-up saves its card unless
 * {@code "saveCard":false}) and why the last attempt failed ({@code lastError}).
 */
@RestController
class AutoTopUpController {

    private final AutoTopUpSettings settings;
    private final StripeApi stripe;
    private final TopUpPricing pricing;

    AutoTopUpController(AutoTopUpSettings settings, StripeApi stripe, TopUpPricing pricing) {
        this.settings = settings;
        this.stripe = stripe;
        this.pricing = pricing;
    }

    @GetMapping("/api/billing/auto-topup")
    Mono<AutoTopUpView> get(@AuthenticationPrincipal SessionUser user) {
        return settings.of(user.tenantId()).map(AutoTopUpView::of);
    }

    @PutMapping("/api/billing/auto-topup")
    Mono<AutoTopUpView> put(@AuthenticationPrincipal SessionUser user, @RequestBody AutoTopUpRequest request) {
        if (!stripe.enabled()) {
            throw BillingErrors.notConfigured();
        }
        if (request.enabled() == null || request.thresholdUsd() == null || request.amountUsd() == null) {
            throw ApiException.invalidRequest("enabled, thresholdUsd and amountUsd are required.");
        }
        long threshold = Money.usdToMicros(request.thresholdUsd(), "thresholdUsd");
        long amount = pricing.quote(request.amountUsd(), "amountUsd").creditMicros();
        return settings.save(user.tenantId(), request.enabled(), threshold, amount).map(AutoTopUpView::of);
    }

    record AutoTopUpRequest(@Nullable Boolean enabled, @Nullable BigDecimal thresholdUsd,
            @Nullable BigDecimal amountUsd) {
    }

    /** The settings as the dashboard reads them; the amounts are null until the tenant first saves them. */
    record AutoTopUpView(boolean enabled, @Nullable BigDecimal thresholdUsd, @Nullable BigDecimal amountUsd,
            boolean hasPaymentMethod, @Nullable String lastError) {

        static AutoTopUpView of(AutoTopUpSettings.Settings settings) {
            return new AutoTopUpView(settings.enabled(), usd(settings.thresholdMicros()), usd(settings.amountMicros()),
                    settings.hasPaymentMethod(), settings.lastError());
        }

        private static @Nullable BigDecimal usd(@Nullable Long micros) {
            return micros == null ? null : Money.microsToUsd(micros);
        }

    }

}
