package dev.tollgate.metering;

import java.time.LocalDate;
import java.util.UUID;

/** The dimensions usage can be grouped by; each maps to a fixed SQL expression (never client text). */
enum UsageGrouping {

    /** The calendar day in the time zone bound as {@code :tz} (an IANA name such as {@code Europe/Paris}). */
    DAY("(created_at at time zone :tz)::date", "day", "day", LocalDate.class),
    MODEL("model", "model", "model", String.class),
    KEY("api_key_id", "key_id", "keyId", UUID.class);

    private final String expression;
    private final String alias;
    private final String field;
    private final Class<?> type;

    UsageGrouping(String expression, String alias, String field, Class<?> type) {
        this.expression = expression;
        this.alias = alias;
        this.field = field;
        this.type = type;
    }

    String expression() {
        return expression;
    }

    /** The column alias in SQL. */
    String alias() {
        return alias;
    }

    /** The field name in the JSON answer. */
    String field() {
        return field;
    }

    Class<?> type() {
        return type;
    }

}
