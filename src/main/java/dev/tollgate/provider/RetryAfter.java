package dev.tollgate.provider;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Clock;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;

import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpHeaders;

/**
 * How long a provider asked to be left alone, read from its answer, and said again to Tollgate's client. Read in every
 * form providers send: OpenAI's {@code retry-after-ms}, and {@code Retry-After} in seconds (whole or decimal) or as an
 * HTTP date (RFC 9110). Said in whole seconds rounded up: a client told less than the provider asked comes back while
 * the key still rests, and is refused again.
 */
public final class RetryAfter {

    /** The longest wait taken from a provider: a longer one, or a date further off, is read as this. */
    static final Duration LONGEST = Duration.ofDays(1);

    private RetryAfter() {
    }

    /** The wait a provider's headers ask for; null when they ask none or nothing readable. */
    public static @Nullable Duration read(HttpHeaders headers) {
        return read(headers, Clock.systemUTC());
    }

    static @Nullable Duration read(HttpHeaders headers, Clock clock) {
        Duration millis = amount(headers.getFirst("retry-after-ms"), 0);
        if (millis != null) {
            return millis;
        }
        String retryAfter = headers.getFirst(HttpHeaders.RETRY_AFTER);
        if (retryAfter == null) {
            return null;
        }
        Duration seconds = amount(retryAfter, 3);
        return seconds != null ? seconds : date(retryAfter.trim(), clock);
    }

    /** The value of a {@code Retry-After} header for a wait: whole seconds, rounded up, at least one. */
    public static String header(Duration wait) {
        long seconds = wait.toSeconds() + (wait.toNanosPart() > 0 ? 1 : 0);
        return Long.toString(Math.max(1, seconds));
    }

    /**
     * A non-negative decimal number of a unit, as milliseconds rounded up.
     * @param unitToMillis the power of ten from milliseconds to the unit: 0 for milliseconds, 3 for seconds
     */
    private static @Nullable Duration amount(@Nullable String text, int unitToMillis) {
        if (text == null) {
            return null;
        }
        try {
            BigDecimal amount = new BigDecimal(text.trim()).stripTrailingZeros();
            // Decided from the digits before any arithmetic (see Money.exactly): "1e-999999999" would be slow to
            // round, "1e999999999" slow to make whole.
            if (amount.signum() < 0 || amount.scale() > 9) {
                return null;
            }
            if (amount.precision() - amount.scale() > 12) {
                return LONGEST;
            }
            Duration wait = Duration.ofMillis(
                    amount.movePointRight(unitToMillis).setScale(0, RoundingMode.CEILING).longValueExact());
            return wait.compareTo(LONGEST) > 0 ? LONGEST : wait;
        }
        catch (NumberFormatException | ArithmeticException ex) {
            return null;
        }
    }

    private static @Nullable Duration date(String text, Clock clock) {
        try {
            Duration wait = Duration.between(clock.instant(),
                    ZonedDateTime.parse(text, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant());
            return wait.isNegative() ? Duration.ZERO : wait.compareTo(LONGEST) > 0 ? LONGEST : wait;
        }
        catch (DateTimeParseException ex) {
            return null;
        }
    }

}
