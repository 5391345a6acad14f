package dev.tollgate.account;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

import org.jspecify.annotations.Nullable;

import dev.tollgate.common.ApiException;

/**
 * Collects what is wrong with a dashboard form so that one 400 names every bad field
 * ({@code "email: must be an email address; password: …"}).
 */
final class FormErrors {

    private static final char NUL = '\u0000';

    private static final Pattern EMAIL = Pattern.compile("^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$");

    private final List<String> problems = new ArrayList<>();
    private @Nullable String firstField;

    void requireText(String field, @Nullable String value) {
        if (value == null || value.isBlank()) {
            add(field, "is required");
        }
        else {
            refuseNul(field, value);
        }
    }

    void requireEmail(String field, @Nullable String value) {
        if (value == null || value.isBlank()) {
            add(field, "is required");
        }
        else if (value.length() > 254 || !EMAIL.matcher(value.trim()).matches() || value.indexOf(NUL) >= 0) {
            add(field, "must be an email address");
        }
    }

    void requireLength(String field, @Nullable String value, int min, int max) {
        if (value == null || value.isBlank()) {
            add(field, "is required");
        }
        else if (value.length() < min || value.length() > max) {
            add(field, min > 1 ? "must be between " + min + " and " + max + " characters"
                    : "must be at most " + max + " characters");
        }
        else {
            refuseNul(field, value);
        }
    }

    /** At most {@code max} bytes once encoded in UTF-8 (a character outside ASCII takes two to four). */
    void limitUtf8Bytes(String field, @Nullable String value, int max) {
        if (value != null && value.getBytes(StandardCharsets.UTF_8).length > max) {
            add(field, "must be at most " + max + " bytes in UTF-8 (fewer characters outside ASCII)");
        }
    }

    void limitLength(String field, @Nullable String value, int max) {
        if (value != null && value.length() > max) {
            add(field, "must be at most " + max + " characters");
        }
        else if (value != null) {
            refuseNul(field, value);
        }
    }

    /** JSON carries the NUL character ({@code "\u0000"}); PostgreSQL's text cannot hold it (see PostgresText). */
    private void refuseNul(String field, String value) {
        if (value.indexOf(NUL) >= 0) {
            add(field, "must not contain the NUL character");
        }
    }

    void throwIfAny() {
        if (!problems.isEmpty()) {
            throw ApiException.invalidParam(firstField, String.join("; ", problems));
        }
    }

    private void add(String field, String problem) {
        if (firstField == null) {
            firstField = field;
        }
        problems.add(field + ": " + problem);
    }

}
