package dev.tollgate.common;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.Function;

import org.jspecify.annotations.Nullable;
import org.springframework.r2dbc.core.DatabaseClient;

/**
 * Which page of a list ordered newest first by {@code (created_at, id)}: the rows just older than a cursor (the next
 * page), just newer than one (the previous page), or, with neither, by offset (the first page, and clients that page by
 * number).
 */
public record Keyset(@Nullable PageCursor before, @Nullable PageCursor after) {

    /** From the {@code before} and {@code after} parameters; a 400 when both are given or either is not a cursor. */
    public static Keyset of(@Nullable String before, @Nullable String after) {
        PageCursor older = PageCursor.parse(before, "before");
        PageCursor newer = PageCursor.parse(after, "after");
        if (older != null && newer != null) {
            throw ApiException.invalidParam("before", "Pass before (the next page) or after (the previous one), "
                    + "not both.");
        }
        return new Keyset(older, newer);
    }

    public boolean byOffset() {
        return before == null && after == null;
    }

    /** What to add to the query's conditions: {@code and (created_at, id) < or > the cursor}, or nothing. */
    public String condition() {
        return before != null ? " and (created_at, id) < (:cursorAt, :cursorId)"
                : after != null ? " and (created_at, id) > (:cursorAt, :cursorId)" : "";
    }

    /** The query's order: from the cursor outwards, newest first but for the previous page. */
    public String order() {
        return after != null ? "created_at asc, id asc" : "created_at desc, id desc";
    }

    /**
     * Binds the cursor, its id read as the table's id type; a 400 naming the parameter when {@code id} refuses it (an
     * {@link IllegalArgumentException}).
     */
    public DatabaseClient.GenericExecuteSpec bind(DatabaseClient.GenericExecuteSpec query, Function<String, Object> id) {
        PageCursor cursor = before != null ? before : after;
        if (cursor == null) {
            return query;
        }
        Object value;
        try {
            value = id.apply(cursor.id());
        }
        catch (IllegalArgumentException notThisListsId) {
            String param = before != null ? "before" : "after";
            throw ApiException.invalidParam(param, param + " is a cursor an earlier page of this list gave.");
        }
        return query.bind("cursorAt", cursor.at()).bind("cursorId", value);
    }

    /** The rows read, newest first. */
    public <T> List<T> newestFirst(List<T> rows) {
        if (after == null) {
            return rows;
        }
        List<T> reversed = new ArrayList<>(rows);
        Collections.reverse(reversed);
        return reversed;
    }

}
