package dev.tollgate.provider.anthropic;

import java.nio.charset.StandardCharsets;

import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpHeaders;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import dev.tollgate.provider.UpstreamErrorDecoder;
import dev.tollgate.provider.UpstreamException;
import dev.tollgate.provider.RetryAfter;

/**
 * Anthropic's error body is {@code {"type":"error","error":{"type","message"},"request_id"}}, over HTTP or as a
 * stream's {@code error} event. The HTTP status decides what the client sees (529 overloaded becomes 503, a 429 keeps
 * its {@code retry-after}); a stream error has no status of its own, so its error type stands for one.
 */
final class AnthropicErrorMapper implements UpstreamErrorDecoder {

    private final JsonMapper json;
    private final String provider;

    AnthropicErrorMapper(JsonMapper json, String provider) {
        this.json = json;
        this.provider = provider;
    }

    @Override
    public UpstreamException decode(int status, HttpHeaders headers, byte[] body) {
        return UpstreamException.fromStatus(provider, status, message(body), RetryAfter.read(headers));
    }

    /** An {@code error} event in a stream that had already started. */
    UpstreamException decodeEvent(JsonNode event) {
        JsonNode error = event.path("error");
        return UpstreamException.fromStatus(provider, statusOf(error.path("type").asString("")), describe(error), null);
    }

    /** The HTTP status Anthropic documents for each error type (docs.anthropic.com/en/api/errors). */
    static int statusOf(String errorType) {
        return switch (errorType) {
            case "invalid_request_error" -> 400;
            case "authentication_error" -> 401;
            case "billing_error" -> 402;
            case "permission_error" -> 403;
            case "not_found_error" -> 404;
            case "request_too_large" -> 413;
            case "rate_limit_error" -> 429;
            case "timeout_error" -> 504;
            case "overloaded_error" -> 529;
            default -> 500;
        };
    }

    private String message(byte[] body) {
        try {
            JsonNode error = json.readTree(body).path("error");
            String described = describe(error);
            if (described != null) {
                return described;
            }
        }
        catch (JacksonException ignored) {
            // not JSON: fall through to the raw text
        }
        String text = new String(body, StandardCharsets.UTF_8).strip();
        return text.length() > 300 ? text.substring(0, 300) + "…" : text;
    }

    private static @Nullable String describe(JsonNode error) {
        JsonNode message = error.path("message");
        if (!message.isString()) {
            return null;
        }
        JsonNode type = error.path("type");
        return type.isString() ? type.stringValue() + ": " + message.stringValue() : message.stringValue();
    }

}
