package dev.tollgate.common;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.concurrent.TimeUnit;

import org.jspecify.annotations.Nullable;

/**
 * A row of a list ordered newest first by {@code (created_at, id)}, from which the next page starts ({@code before})
 * or the previous one ends ({@code after}): keyset paging, so that rows written while a tenant pages neither repeat a
 * row nor hide one, where an offset shifted every later page by each new row. Written as
 * {@code <epoch microseconds>_<id>}, the database's own precision.
 */
public record PageCursor(OffsetDateTime at, String id) {

    private static final Instant EARLIEST = Instant.parse("0001-01-01T00:00:00Z");

    private static final Instant LATEST = Instant.parse("9999-12-31T23:59:59.999999Z");

    public static PageCursor of(OffsetDateTime at, Object id) {
        return new PageCursor(at, id.toString());
    }

    public String text() {
        Instant instant = at.toInstant();
        return (TimeUnit.SECONDS.toMicros(instant.getEpochSecond()) + instant.getNano() / 1_000) + "_" + id;
    }

    /** The cursor a client passed back, or null when it passed none; a 400 naming {@code param} when it is not one. */
    public static @Nullable PageCursor parse(@Nullable String text, String param) {
        if (text == null || text.isBlank()) {
            return null;
        }
        int separator = text.indexOf('_');
        try {
            long micros = Long.parseLong(text.substring(0, Math.max(separator, 0)));
            Instant at = Instant.ofEpochSecond(Math.floorDiv(micros, 1_000_000L),
                    Math.floorMod(micros, 1_000_000L) * 1_000L);
            String id = text.substring(separator + 1);
            if (id.isEmpty() || at.isBefore(EARLIEST) || at.isAfter(LATEST)) {
                // No page gave it: PostgreSQL's timestamps run from year 1 to 9999, where a query past them errs or
                // reads another year.
                throw new NumberFormatException();
            }
            return new PageCursor(OffsetDateTime.ofInstant(at, ZoneOffset.UTC), id);
        }
        catch (RuntimeException notACursor) {
            throw ApiException.invalidParam(param, param + " is a cursor an earlier page gave (firstCursor or "
                    + "lastCursor).");
        }
    }

}
