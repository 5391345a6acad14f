package dev.tollgate.provider.openai;

import org.springframework.http.HttpHeaders;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import dev.tollgate.provider.UpstreamErrorDecoder;
import dev.tollgate.provider.UpstreamException;
import dev.tollgate.provider.RetryAfter;

/** OpenAI's error body is {@code {"error":{"message","type","param","code"}}}; compatible servers mostly agree. */
final class OpenAiErrorMapper implements UpstreamErrorDecoder {

    private final JsonMapper json;
    private final String provider;

    OpenAiErrorMapper(JsonMapper json, String provider) {
        this.json = json;
        this.provider = provider;
    }

    @Override
    public UpstreamException decode(int status, HttpHeaders headers, byte[] body) {
        return UpstreamException.fromStatus(provider, status, message(body), RetryAfter.read(headers));
    }

    private String message(byte[] body) {
        try {
            JsonNode root = json.readTree(body);
            JsonNode message = root.path("error").path("message");
            if (message.isString()) {
                return message.stringValue();
            }
            JsonNode error = root.path("error");
            if (error.isString()) {
                return error.stringValue();
            }
        }
        catch (JacksonException ignored) {
            // not JSON: fall through to the raw text
        }
        String text = new String(body, java.nio.charset.StandardCharsets.UTF_8).strip();
        return text.length() > 300 ? text.substring(0, 300) + "…" : text;
    }

}
