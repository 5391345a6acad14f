package dev.tollgate.billing;

import java.math.BigDecimal;

import org.junit.jupiter.api.Test;

import dev.tollgate.common.ApiException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TopUpPricingTests {

    private final TopUpPricing pricing = new TopUpPricing(new StripeProperties.Checkout(new BigDecimal("5"),
            new BigDecimal("1000"), new BigDecimal("2.9"), new BigDecimal("0.30"), "https://ok", "https://cancel"));

    @Test
    void theFeeIsThePercentageRoundedHalfUpToTheCentPlusTheFixedPart() {
        // 2.9 % of $10.00 = 29 cents; + 30 cents
        assertThat(pricing.quote(new BigDecimal("10"), "amountUsd")).isEqualTo(new TopUpPricing.TopUp(1000, 59));
        // 2.9 % of $25.50 = 73.95 cents → 74; + 30
        assertThat(pricing.quote(new BigDecimal("25.50"), "amountUsd").feeCents()).isEqualTo(104);
        // 2.9 % of $5.17 = 14.993 cents → 15; + 30
        assertThat(pricing.quote(new BigDecimal("5.17"), "amountUsd").feeCents()).isEqualTo(45);
    }

    @Test
    void theTenantIsCreditedTheAmountAndChargedAmountPlusFee() {
        TopUpPricing.TopUp topUp = pricing.quote(new BigDecimal("10.00"), "amountUsd");

        assertThat(topUp.creditMicros()).isEqualTo(10_000_000L);
        assertThat(topUp.feeMicros()).isEqualTo(590_000L);
        assertThat(topUp.totalCents()).isEqualTo(1059);
    }

    @Test
    void amountsOutsideTheLimitsOrFinerThanACentAreRefused() {
        assertThatThrownBy(() -> pricing.quote(new BigDecimal("4.99"), "amountUsd"))
            .isInstanceOfSatisfying(ApiException.class, ex -> assertThat(ex.param()).isEqualTo("amountUsd"))
            .hasMessageContaining("between $5 and $1000");
        assertThatThrownBy(() -> pricing.quote(new BigDecimal("1000.01"), "amountUsd"))
            .isInstanceOf(ApiException.class);
        assertThatThrownBy(() -> pricing.quote(new BigDecimal("10.001"), "amountUsd"))
            .hasMessageContaining("whole number of cents");
        assertThatThrownBy(() -> pricing.quote(new BigDecimal("-10"), "amountUsd")).isInstanceOf(ApiException.class);
    }

    @Test
    void noFeeWhenNoneIsConfigured() {
        TopUpPricing free = new TopUpPricing(new StripeProperties.Checkout(new BigDecimal("5"), new BigDecimal("100"),
                BigDecimal.ZERO, BigDecimal.ZERO, "https://ok", "https://cancel"));

        assertThat(free.quote(new BigDecimal("20"), "amountUsd").feeCents()).isZero();
        assertThat(free.feePercent()).isEqualByComparingTo("0");
    }

    @Test
    void aMisconfiguredFeeOrLimitStopsStartup() {
        assertThatThrownBy(() -> new TopUpPricing(new StripeProperties.Checkout(new BigDecimal("5"),
                new BigDecimal("100"), BigDecimal.ONE, new BigDecimal("0.305"), "a", "b")))
            .hasMessageContaining("fee-fixed-usd");
        assertThatThrownBy(() -> new TopUpPricing(new StripeProperties.Checkout(new BigDecimal("50"),
                new BigDecimal("10"), BigDecimal.ONE, BigDecimal.ZERO, "a", "b")))
            .hasMessageContaining("min-usd");
        assertThatThrownBy(() -> new TopUpPricing(new StripeProperties.Checkout(new BigDecimal("5"),
                new BigDecimal("100"), new BigDecimal("100"), BigDecimal.ZERO, "a", "b")))
            .hasMessageContaining("fee-percent");
    }

}
