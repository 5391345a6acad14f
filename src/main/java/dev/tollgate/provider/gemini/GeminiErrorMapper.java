package dev.tollgate.provider.gemini;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import dev.tollgate.provider.UpstreamErrorDecoder;
import dev.tollgate.provider.UpstreamException;
import dev.tollgate.provider.RetryAfter;

/**
 * Gemini's errors come in the google.rpc envelope {@code {"error":{"code","message","status","details":[…]}}}.
 * Two differ from their HTTP status: an invalid API key is a 400 INVALID_ARGUMENT (reason {@code API_KEY_INVALID}),
 * which is Tollgate's credentials problem and not the client's bad request; and FAILED_PRECONDITION (a 400 for e.g. a
 * region or billing Gemini will not serve) is the operator's to fix too. A 429 says how long to wait in a
 * {@code google.rpc.RetryInfo} detail when no {@code Retry-After} header does.
 */
final class GeminiErrorMapper implements UpstreamErrorDecoder {

    private final JsonMapper json;
    private final String provider;

    GeminiErrorMapper(JsonMapper json, String provider) {
        this.json = json;
        this.provider = provider;
    }

    @Override
    public UpstreamException decode(int status, HttpHeaders headers, byte[] body) {
        JsonNode error;
        try {
            error = json.readTree(body).path("error");
        }
        catch (JacksonException notJson) {
            String text = new String(body, StandardCharsets.UTF_8).strip();
            return UpstreamException.fromStatus(provider, status, text.length() > 300 ? text.substring(0, 300) + "…"
                    : text, RetryAfter.read(headers));
        }
        return map(status, error, RetryAfter.read(headers));
    }

    /** An error sent in place of a stream event ({@code data: {"error":{…}}}). */
    UpstreamException fromStreamError(JsonNode error) {
        int status = error.path("code").asInt(0);
        return map(status >= 400 ? status : 500, error, null);
    }

    private UpstreamException map(int status, JsonNode error, @Nullable Duration retryAfterHeader) {
        String message = error.path("message").isString() ? error.path("message").stringValue() : null;
        String rpcStatus = error.path("status").asString("");
        String reason = "";
        Duration retryDelay = null;
        for (JsonNode detail : error.path("details")) {
            String type = detail.path("@type").asString("");
            if (type.endsWith("google.rpc.ErrorInfo")) {
                reason = detail.path("reason").asString("");
            }
            else if (type.endsWith("google.rpc.RetryInfo")) {
                retryDelay = duration(detail.path("retryDelay").asString(""));
            }
        }
        if (status == 400 && reason.startsWith("API_KEY_")) {
            return new UpstreamException(HttpStatus.BAD_GATEWAY, "upstream_auth_failed", "Provider " + provider
                    + " rejected Tollgate's credentials (" + reason + "); the operator must fix the provider's API key",
                    status, false, null, null);
        }
        if (status == 400 && "FAILED_PRECONDITION".equals(rpcStatus)) {
            return new UpstreamException(HttpStatus.BAD_GATEWAY, "upstream_error", "Provider " + provider
                    + " refused to serve this account (FAILED_PRECONDITION): " + message, status, false, null, null);
        }
        return UpstreamException.fromStatus(provider, status, message,
                retryAfterHeader != null ? retryAfterHeader : retryDelay);
    }

    /** A google.protobuf.Duration in JSON: seconds with an {@code s} suffix, e.g. {@code "39s"} or {@code "1.5s"}. */
    private static @Nullable Duration duration(String text) {
        if (!text.endsWith("s")) {
            return null;
        }
        try {
            BigDecimal seconds = new BigDecimal(text.substring(0, text.length() - 1)).stripTrailingZeros();
            // Decided from the digits before any arithmetic (see Money.exactly): protobuf's durations have at most
            // nine decimals, and a wait of 100,000 s or more is not one worth reading.
            if (seconds.signum() < 0 || seconds.scale() > 9 || seconds.precision() - seconds.scale() > 5) {
                return null;
            }
            return Duration.ofMillis(seconds.movePointRight(3).longValue());
        }
        catch (NumberFormatException ex) {
            return null;
        }
    }

}
