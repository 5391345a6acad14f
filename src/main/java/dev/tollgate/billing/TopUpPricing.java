package dev.tollgate.billing;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.OptionalLong;

import dev.tollgate.common.ApiException;
import dev.tollgate.common.Money;

/**
 * What a top-up costs: the credits bought (whole cents) plus the purchase fee, a percentage of the amount rounded half
 * up to the cent plus a fixed part. The tenant is credited the amount; the card is charged amount plus fee.
 */
final class TopUpPricing {

    private static final long MICROS_PER_CENT = 10_000;

    private final long minCents;
    private final long maxCents;
    private final BigDecimal feePercent;
    private final long feeFixedCents;

    TopUpPricing(StripeProperties.Checkout checkout) {
        this.minCents = configuredCents(checkout.minUsd(), "tollgate.stripe.checkout.min-usd");
        this.maxCents = configuredCents(checkout.maxUsd(), "tollgate.stripe.checkout.max-usd");
        this.feeFixedCents = configuredCents(checkout.feeFixedUsd(), "tollgate.stripe.checkout.fee-fixed-usd");
        this.feePercent = checkout.feePercent();
        if (minCents < 50 || maxCents < minCents) {
            // Stripe's smallest USD charge is $0.50.
            throw new IllegalStateException("tollgate.stripe.checkout needs 0.50 <= min-usd <= max-usd");
        }
        if (feePercent.signum() < 0 || feePercent.compareTo(BigDecimal.valueOf(100)) >= 0) {
            throw new IllegalStateException("tollgate.stripe.checkout.fee-percent must be at least 0 and below 100");
        }
    }

    /**
     * The price of a top-up of {@code amountUsd}.
     * @throws ApiException 400 when the amount is missing, not whole cents, or outside the configured limits
     */
    TopUp quote(BigDecimal amountUsd, String param) {
        // The range first, as numbers: cheap whatever the amount's exponent (see Money.exactly).
        if (amountUsd.compareTo(usd(minCents)) < 0 || amountUsd.compareTo(usd(maxCents)) > 0) {
            throw ApiException.invalidParam(param, param + " must be between $" + usd(minCents) + " and $"
                    + usd(maxCents) + ".");
        }
        OptionalLong cents = Money.exactly(amountUsd, 2);
        if (cents.isEmpty()) {
            throw ApiException.invalidParam(param, param + " must be a whole number of cents.");
        }
        return new TopUp(cents.getAsLong(), fee(cents.getAsLong()));
    }

    long fee(long cents) {
        long percentPart = feePercent.multiply(BigDecimal.valueOf(cents))
            .divide(BigDecimal.valueOf(100), 0, RoundingMode.HALF_UP)
            .longValueExact();
        return percentPart + feeFixedCents;
    }

    BigDecimal minUsd() {
        return usd(minCents);
    }

    BigDecimal maxUsd() {
        return usd(maxCents);
    }

    BigDecimal feePercent() {
        BigDecimal percent = feePercent.stripTrailingZeros();
        return percent.scale() < 0 ? percent.setScale(0) : percent;
    }

    BigDecimal feeFixedUsd() {
        return usd(feeFixedCents);
    }

    static BigDecimal usd(long cents) {
        return Money.microsToUsd(cents * MICROS_PER_CENT);
    }

    private static long configuredCents(BigDecimal usd, String property) {
        return Money.exactly(usd, 2)
            .orElseThrow(() -> new IllegalStateException(property + " must be a whole number of cents"));
    }

    /**
     * One top-up's price.
     * @param creditCents what the tenant is credited, in cents
     * @param feeCents the purchase fee, in cents
     */
    record TopUp(long creditCents, long feeCents) {

        long creditMicros() {
            return creditCents * MICROS_PER_CENT;
        }

        long feeMicros() {
            return feeCents * MICROS_PER_CENT;
        }

        long totalCents() {
            return creditCents + feeCents;
        }

    }

}
