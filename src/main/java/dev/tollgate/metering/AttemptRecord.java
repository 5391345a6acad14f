package dev.tollgate.metering;

import org.jspecify.annotations.Nullable;

/**
 * One provider attempt of a request.
 *
 * @param number 1 for the first attempt, then 2, 3… across retries and fallbacks
 * @param keyIndex which of the provider's {@code api-keys} was used, when any
 * @param status the provider's HTTP status, 0 when no answer came
 */
public record AttemptRecord(int number, String model, String provider, @Nullable Integer keyIndex, int status,
        @Nullable String errorCode, int latencyMillis) {
}
