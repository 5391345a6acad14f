package dev.tollgate.common;

import java.time.DateTimeException;
import java.time.Duration;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;

import org.jspecify.annotations.Nullable;

/** Dates and instants a client gives as query parameters ({@code from}, {@code to}) on the dashboard's APIs. */
public final class DateParams {

    private DateParams() {
    }

    /**
     * The period a query covers: {@code from} (default 30 days before {@code to}) up to {@code to} (default now).
     *
     * @param longest the longest period allowed, if any: what one request may make the database aggregate
     * @throws ApiException 400 naming the parameter: unreadable, out of range, not in order, or too long
     */
    public static Window window(@Nullable String from, @Nullable String to, @Nullable Duration longest) {
        return window(from, to, longest, ZoneOffset.UTC);
    }

    /** As {@link #window(String, String, Duration)}, a plain date meaning midnight in {@code zone}. */
    public static Window window(@Nullable String from, @Nullable String to, @Nullable Duration longest, ZoneId zone) {
        OffsetDateTime end = to == null ? OffsetDateTime.now(ZoneOffset.UTC) : instant("to", to, zone);
        OffsetDateTime start = from == null ? end.minusDays(30) : instant("from", from, zone);
        if (!start.isBefore(end)) {
            throw ApiException.invalidParam("from", "from must be before to.");
        }
        if (longest != null && Duration.between(start, end).compareTo(longest) > 0) {
            throw ApiException.invalidParam("from", "from and to may be at most " + longest.toDays()
                    + " days apart.");
        }
        return new Window(start, end);
    }

    /** A period of time, {@code from} included, {@code to} excluded. */
    public record Window(OffsetDateTime from, OffsetDateTime to) {
    }

    /**
     * An ISO date ({@code 2026-11-27}, midnight UTC) or instant, from the year 1 to 9999. ISO parsing takes any year
     * from -999,999,999: such an instant made the endpoint's default window ({@code to} minus 30 days) throw, and
     * PostgreSQL's timestamps stop at 4713 BC; either was a 500.
     *
     * @throws ApiException 400 naming the parameter
     */
    public static OffsetDateTime instant(String param, String text) {
        return instant(param, text, ZoneOffset.UTC);
    }

    /** As {@link #instant(String, String)}, a plain date meaning its first moment in {@code zone}. */
    public static OffsetDateTime instant(String param, String text, ZoneId zone) {
        OffsetDateTime instant;
        int year;
        try {
            instant = text.length() == 10
                    ? LocalDate.parse(text).atStartOfDay(zone).toOffsetDateTime().withOffsetSameInstant(ZoneOffset.UTC)
                    : OffsetDateTime.parse(text);
            // In UTC, which can itself be out of range: -999999999-01-01T00:00+18:00 is a year earlier there.
            year = instant.withOffsetSameInstant(ZoneOffset.UTC).getYear();
        }
        catch (DateTimeException ex) {
            throw ApiException.invalidParam(param, param + " must be an ISO date (2026-11-27) or instant.");
        }
        if (year < 1 || year > 9999) {
            throw ApiException.invalidParam(param, param + " must be between the years 1 and 9999.");
        }
        return instant;
    }

}
