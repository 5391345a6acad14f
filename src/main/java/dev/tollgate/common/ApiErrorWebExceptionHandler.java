package dev.tollgate.common;

import java.util.concurrent.TimeoutException;

import io.r2dbc.spi.R2dbcException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.annotation.Order;
import org.springframework.core.io.buffer.DataBufferLimitException;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.web.server.ResponseStatusException;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.ServerWebInputException;
import org.springframework.web.server.WebExceptionHandler;
import reactor.core.publisher.Mono;

/**
 * Renders every error that escapes a handler as OpenAI's error JSON, so that no client ever sees a stack trace,
 * Spring's default error page or an HTML body. Runs before Boot's own handler, and serves the proxy's hot path, which
 * runs below WebFlux, directly ({@link #render}).
 */
@Order(-2)
public final class ApiErrorWebExceptionHandler implements WebExceptionHandler {

    private static final Logger log = LoggerFactory.getLogger(ApiErrorWebExceptionHandler.class);

    /** PostgreSQL's "character not in repertoire": how it refuses a NUL character in text. */
    private static final String UNTRANSLATABLE_CHARACTER = "22021";

    private final ApiErrorJson errorJson;

    ApiErrorWebExceptionHandler(ApiErrorJson errorJson) {
        this.errorJson = errorJson;
    }

    @Override
    public Mono<Void> handle(ServerWebExchange exchange, Throwable ex) {
        return render(exchange.getRequest(), exchange.getResponse(), ex);
    }

    /** The error as the client's answer; once the answer has started, the error is passed on (the server resets). */
    public Mono<Void> render(ServerHttpRequest request, ServerHttpResponse response, Throwable ex) {
        if (response.isCommitted()) {
            return Mono.error(ex);
        }
        ApiException error = toApiException(ex, request);
        response.setStatusCode(error.status());
        response.getHeaders().setContentType(MediaType.APPLICATION_JSON);
        error.headers().forEach(response.getHeaders()::set);
        if (ex instanceof ResponseStatusException rse) {
            // Allow on a 405, Accept on a 415 or 406: what the client may send instead.
            rse.getHeaders().forEach(response.getHeaders()::put);
        }
        return response.writeWith(Mono.fromSupplier(() -> response.bufferFactory().wrap(errorJson.bytes(error))));
    }

    static ApiException toApiException(Throwable ex, ServerHttpRequest request) {
        if (ex instanceof ApiException api) {
            return api;
        }
        if (ex instanceof DataBufferLimitException) {
            return new ApiException(HttpStatus.CONTENT_TOO_LARGE, "invalid_request_error", "request_too_large",
                    "Request body is too large.");
        }
        if (ex instanceof ServerWebInputException input) {
            return ApiException.invalidRequest(input.getReason() != null ? input.getReason() : "Invalid request.");
        }
        if (ex instanceof ResponseStatusException rse) {
            return fromStatus(rse.getStatusCode(), rse.getReason(), request);
        }
        if (ex instanceof TimeoutException) {
            return ApiException.upstreamTimeout("The request timed out.");
        }
        if (sqlState(ex, UNTRANSLATABLE_CHARACTER)) {
            // A NUL character in a text a field check did not look at: the client's input, not Tollgate's fault.
            return ApiException.invalidRequest("Text fields must not contain the NUL character (\\u0000).");
        }
        log.error("Unhandled error on {} {}", request.getMethod(), request.getPath(), ex);
        return new ApiException(HttpStatus.INTERNAL_SERVER_ERROR, "server_error", "internal_error",
                "Tollgate hit an internal error; the request was not billed.");
    }

    private static boolean sqlState(Throwable ex, String state) {
        for (Throwable cause = ex; cause != null; cause = cause.getCause()) {
            if (cause instanceof R2dbcException r2dbc && state.equals(r2dbc.getSqlState())) {
                return true;
            }
        }
        return false;
    }

    private static ApiException fromStatus(HttpStatusCode code, String reason, ServerHttpRequest request) {
        HttpStatus status = HttpStatus.resolve(code.value());
        if (status == null) {
            status = HttpStatus.INTERNAL_SERVER_ERROR;
        }
        return switch (status) {
            case NOT_FOUND -> ApiException.notFound("Path " + request.getPath().value());
            case METHOD_NOT_ALLOWED -> new ApiException(status, "invalid_request_error", "method_not_allowed",
                    "Method " + request.getMethod() + " is not allowed here.");
            case UNSUPPORTED_MEDIA_TYPE -> new ApiException(status, "invalid_request_error", "unsupported_media_type",
                    "Send the request body as application/json.");
            case CONTENT_TOO_LARGE -> new ApiException(status, "invalid_request_error", "request_too_large",
                    "Request body is too large.");
            case UNAUTHORIZED -> ApiException.unauthenticated();
            case FORBIDDEN -> new ApiException(status, "permission_error", "forbidden",
                    reason != null ? reason : "Forbidden.");
            default -> new ApiException(status, status.is4xxClientError() ? "invalid_request_error" : "server_error",
                    status.name().toLowerCase(), reason != null ? reason : status.getReasonPhrase());
        };
    }

}
