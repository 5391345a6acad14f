package dev.tollgate.common;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.OptionalLong;

/**
 * Money is kept as integer micro-dollars (1 USD = 1,000,000 micros) everywhere; this class converts at the edges,
 * where clients send or read USD.
 */
public final class Money {

    public static final long MICROS_PER_USD = 1_000_000L;

    /** No single amount a client sends may exceed this: a typo guard, not a business rule. */
    public static final BigDecimal MAX_USD = new BigDecimal("1000000000");

    private Money() {
    }

    /**
     * Converts a USD amount given by a client to micros; amounts with more than six decimals are refused rather than
     * silently rounded.
     * @throws ApiException 400 when negative, too precise or absurdly large
     */
    public static long usdToMicros(BigDecimal usd, String param) {
        if (usd.signum() < 0) {
            throw ApiException.invalidParam(param, param + " must not be negative.");
        }
        if (usd.compareTo(MAX_USD) > 0) {
            throw ApiException.invalidParam(param, param + " is too large.");
        }
        OptionalLong micros = exactly(usd, 6);
        if (micros.isEmpty()) {
            throw ApiException.invalidParam(param, param + " has more than six decimal places.");
        }
        return micros.getAsLong();
    }

    /**
     * {@code value} × 10^{@code decimals} as a long, when that is a whole number of at most 18 digits; empty otherwise.
     * Decided from the value's digits before anything is computed: {@code setScale} on {@code 1e-100000000} or
     * {@code 1e100000000}, a dozen bytes of JSON, first builds a power of ten with a hundred million digits (minutes
     * of an event loop's CPU, tens of megabytes) and only then refuses it.
     */
    public static OptionalLong exactly(BigDecimal value, int decimals) {
        BigDecimal stripped = value.stripTrailingZeros();
        long wholeDigits = (long) stripped.precision() - stripped.scale() + decimals;
        if (stripped.scale() > decimals || wholeDigits > 18) {
            return OptionalLong.empty();
        }
        return OptionalLong.of(stripped.movePointRight(decimals).setScale(0, RoundingMode.UNNECESSARY)
            .longValueExact());
    }

    /** Micros as an exact USD decimal, e.g. 1500 → 0.0015 and 10000000 → 10 (never in exponent notation). */
    public static BigDecimal microsToUsd(long micros) {
        BigDecimal usd = BigDecimal.valueOf(micros, 6).stripTrailingZeros();
        return usd.scale() < 0 ? usd.setScale(0) : usd;
    }

}
