package dev.tollgate.provider;

import java.time.Duration;
import java.util.Map;

import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpStatus;

import dev.tollgate.common.ApiException;

/**
 * A provider failed. Carries both what the client should see (status, OpenAI error) and what routing needs to know
 * (the upstream status, whether another try may succeed, how long the provider asked us to wait).
 */
public class UpstreamException extends ApiException {

    private final int upstreamStatus;
    private final boolean retryable;
    private final @Nullable Duration retryAfter;
    private final boolean anotherKeyFree;

    public UpstreamException(HttpStatus status, String code, String message, int upstreamStatus, boolean retryable,
            @Nullable Duration retryAfter, @Nullable Throwable cause) {
        this(status, code, message, upstreamStatus, retryable, retryAfter, cause, false);
    }

    private UpstreamException(HttpStatus status, String code, String message, int upstreamStatus, boolean retryable,
            @Nullable Duration retryAfter, @Nullable Throwable cause, boolean anotherKeyFree) {
        super(status, status == HttpStatus.BAD_REQUEST ? "invalid_request_error" : "upstream_error", code, message,
                null, retryAfter == null ? Map.of()
                        : Map.of("Retry-After", RetryAfter.header(retryAfter)),
                cause);
        this.upstreamStatus = upstreamStatus;
        this.retryable = retryable;
        this.retryAfter = retryAfter;
        this.anotherKeyFree = anotherKeyFree;
    }

    /**
     * The same failure of one upstream key (rate limited, or refused as credentials), which now rests while another
     * of the provider's keys is free: the call is tried again at once with that one. The provider's own wait stays,
     * for the client, should every try fail.
     */
    public UpstreamException retryWithAnotherKey() {
        return new UpstreamException(status(), code(), getMessage(), upstreamStatus, true, retryAfter, getCause(),
                true);
    }

    /** Whether this key's failure leaves another of the provider's keys free to try at once. */
    public boolean anotherKeyFree() {
        return anotherKeyFree;
    }

    /** The provider's HTTP status, or 0 when no answer came (connection failure, timeout). */
    public int upstreamStatus() {
        return upstreamStatus;
    }

    public boolean retryable() {
        return retryable;
    }

    public @Nullable Duration retryAfter() {
        return retryAfter;
    }

    /**
     * Maps a provider's HTTP error to what the client sees: the provider's own 400s pass through (the request was
     * bad), credentials problems are Tollgate's (502), rate limits stay 429, overload is 503, the rest 502.
     */
    public static UpstreamException fromStatus(String provider, int status, @Nullable String upstreamMessage,
            @Nullable Duration retryAfter) {
        String detail = upstreamMessage == null || upstreamMessage.isBlank() ? "" : ": " + upstreamMessage;
        return switch (status) {
            case 400, 404, 422 -> new UpstreamException(status == 404 ? HttpStatus.BAD_GATEWAY : HttpStatus.BAD_REQUEST,
                    status == 404 ? "upstream_not_found" : "upstream_invalid_request",
                    "Provider " + provider + " rejected the request (HTTP " + status + ")" + detail, status, false,
                    null, null);
            case 401, 403 -> new UpstreamException(HttpStatus.BAD_GATEWAY, "upstream_auth_failed",
                    "Provider " + provider + " rejected Tollgate's credentials (HTTP " + status
                            + "); the operator must fix the provider's API key",
                    status, false, null, null);
            case 408 -> new UpstreamException(HttpStatus.GATEWAY_TIMEOUT, "upstream_timeout",
                    "Provider " + provider + " timed out" + detail, status, true, retryAfter, null);
            case 413 -> new UpstreamException(HttpStatus.CONTENT_TOO_LARGE, "upstream_request_too_large",
                    "Provider " + provider + " found the request too large" + detail, status, false, null, null);
            case 429 -> new UpstreamException(HttpStatus.TOO_MANY_REQUESTS, "upstream_rate_limited",
                    "Provider " + provider + " is rate limiting requests" + detail, status, true,
                    retryAfter == null ? Duration.ofSeconds(1) : retryAfter, null);
            case 503, 529 -> new UpstreamException(HttpStatus.SERVICE_UNAVAILABLE, "upstream_overloaded",
                    "Provider " + provider + " is overloaded" + detail, status, true, retryAfter, null);
            default -> new UpstreamException(HttpStatus.BAD_GATEWAY, "upstream_error",
                    "Provider " + provider + " failed (HTTP " + status + ")" + detail, status, status >= 500,
                    retryAfter, null);
        };
    }

    /**
     * A 429 that is no rate limit: the provider account behind the key is out of credit (OpenAI's
     * {@code insufficient_quota}). The operator's to fix, as refused credentials are: 502, not retried on the route.
     */
    public static UpstreamException quotaExhausted(String provider, @Nullable String upstreamMessage) {
        String detail = upstreamMessage == null || upstreamMessage.isBlank() ? "" : ": " + upstreamMessage;
        return new UpstreamException(HttpStatus.BAD_GATEWAY, "upstream_quota_exhausted", "Provider " + provider
                + "'s account has no quota left; the operator must top it up or change the provider's API key"
                + detail, 429, false, null, null);
    }

    public static UpstreamException connectionFailed(String provider, Throwable cause) {
        return new UpstreamException(HttpStatus.BAD_GATEWAY, "upstream_unreachable",
                "Could not reach provider " + provider + ": " + (cause.getMessage() != null ? cause.getMessage()
                        : cause.getClass().getSimpleName()), 0, true, null,
                cause);
    }

    public static UpstreamException timedOut(String provider, String what) {
        return new UpstreamException(HttpStatus.GATEWAY_TIMEOUT, "upstream_timeout",
                "Provider " + provider + " " + what, 0, true, null, null);
    }

    public static UpstreamException malformed(String provider, String what) {
        return new UpstreamException(HttpStatus.BAD_GATEWAY, "upstream_malformed_response",
                "Provider " + provider + " sent " + what, 0, false, null, null);
    }

}
