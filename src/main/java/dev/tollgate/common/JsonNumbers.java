package dev.tollgate.common;

import tools.jackson.databind.JsonNode;

/**
 * Range checks on whole numbers in JSON, as clients and providers send them. Jackson 3's {@code asLong()} and
 * {@code asInt()} throw for a whole number beyond their type, where Jackson 2 answered a cut value, so a check that
 * reads the number first would answer a 500 for {@code 99999999999999999999}; this one asks whether it fits a long
 * before reading it.
 */
public final class JsonNumbers {

    private JsonNumbers() {
    }

    /** Whether {@code value} is a whole number from {@code min} to {@code max}; a fraction or another type is not. */
    public static boolean isWholeNumberIn(JsonNode value, long min, long max) {
        return value.isIntegralNumber() && value.canConvertToLong() && value.longValue() >= min
                && value.longValue() <= max;
    }

}
