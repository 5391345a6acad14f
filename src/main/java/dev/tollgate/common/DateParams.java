package dev.tollgate.common;

import java.time.DateTimeException;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;

/** Dates and instants a client gives as query parameters ({@code from}, {@code to}) on the dashboard's APIs. */
public final class DateParams {

    private DateParams() {
    }

    /**
     * An ISO date ({@code 2026-11-27}, midnight UTC) or instant, from the year 1 to 9999. ISO parsing takes any year
     * from -999,999,999: such an instant made the endpoint's default window ({@code to} minus 30 days) throw, and
     * PostgreSQL's timestamps stop at 4713 BC; either was a 500.
     *
     * @throws ApiException 400 naming the parameter
     */
    public static OffsetDateTime instant(String param, String text) {
        OffsetDateTime instant;
        int year;
        try {
            instant = text.length() == 10 ? LocalDate.parse(text).atStartOfDay().atOffset(ZoneOffset.UTC)
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
