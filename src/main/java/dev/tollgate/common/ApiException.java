package dev.tollgate.common;

import java.util.Map;

import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpStatus;

/**
 * A failure that reaches a client as an OpenAI-shaped error body:
 * {@code {"error":{"message","type","param","code"}}} with the given HTTP status.
 * Every error path in Tollgate ends in one of these; {@link ApiErrorWebExceptionHandler} renders it.
 */
public class ApiException extends RuntimeException {

    private final HttpStatus status;
    private final String type;
    private final String code;
    private final @Nullable String param;
    private final Map<String, String> headers;

    public ApiException(HttpStatus status, String type, String code, String message) {
        this(status, type, code, message, null, Map.of(), null);
    }

    public ApiException(HttpStatus status, String type, String code, String message, @Nullable String param,
            Map<String, String> headers, @Nullable Throwable cause) {
        super(message, cause, false, false);
        this.status = status;
        this.type = type;
        this.code = code;
        this.param = param;
        this.headers = Map.copyOf(headers);
    }

    public static ApiException invalidRequest(String message) {
        return new ApiException(HttpStatus.BAD_REQUEST, "invalid_request_error", "invalid_request", message);
    }

    public static ApiException invalidParam(String param, String message) {
        return new ApiException(HttpStatus.BAD_REQUEST, "invalid_request_error", "invalid_value", message, param,
                Map.of(), null);
    }

    public static ApiException invalidApiKey(String message) {
        return new ApiException(HttpStatus.UNAUTHORIZED, "invalid_request_error", "invalid_api_key", message);
    }

    public static ApiException unauthenticated() {
        return new ApiException(HttpStatus.UNAUTHORIZED, "authentication_error", "unauthenticated",
                "You are not logged in.");
    }

    public static ApiException notFound(String what) {
        return new ApiException(HttpStatus.NOT_FOUND, "invalid_request_error", "not_found", what + " not found.");
    }

    public static ApiException modelNotFound(String model) {
        return new ApiException(HttpStatus.NOT_FOUND, "invalid_request_error", "model_not_found",
                "The model `" + model + "` does not exist or you do not have access to it.", "model", Map.of(), null);
    }

    public static ApiException payloadTooLarge(long limitBytes) {
        return new ApiException(HttpStatus.CONTENT_TOO_LARGE, "invalid_request_error", "request_too_large",
                "Request body is larger than the limit of " + limitBytes + " bytes.");
    }

    public static ApiException noProvider(String message) {
        return new ApiException(HttpStatus.SERVICE_UNAVAILABLE, "service_unavailable", "no_provider_available",
                message);
    }

    public static ApiException upstreamTimeout(String message) {
        return new ApiException(HttpStatus.GATEWAY_TIMEOUT, "upstream_error", "upstream_timeout", message);
    }

    public HttpStatus status() {
        return status;
    }

    public String type() {
        return type;
    }

    public String code() {
        return code;
    }

    public @Nullable String param() {
        return param;
    }

    /** Extra response headers that belong to this error, e.g. {@code Retry-After} on a 429. */
    public Map<String, String> headers() {
        return headers;
    }

}
