package dev.tollgate.provider.openai;

import org.springframework.http.HttpHeaders;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.MissingNode;
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
        JsonNode root = tree(body);
        if (status == 429 && "insufficient_quota".equals(root.path("error").path("code").asString(""))) {
            // The account behind the key is out of credit: no wait mends it, and the client is not to retry.
            return UpstreamException.quotaExhausted(provider, message(root, body));
        }
        return UpstreamException.fromStatus(provider, status, message(root, body), RetryAfter.read(headers));
    }

    private JsonNode tree(byte[] body) {
        try {
            return json.readTree(body);
        }
        catch (JacksonException notJson) {
            return MissingNode.getInstance();
        }
    }

    private static String message(JsonNode root, byte[] body) {
        JsonNode message = root.path("error").path("message");
        if (message.isString()) {
            return message.stringValue();
        }
        JsonNode error = root.path("error");
        if (error.isString()) {
            return error.stringValue();
        }
        // Not JSON, or no message in it: the raw text.
        String text = new String(body, java.nio.charset.StandardCharsets.UTF_8).strip();
        return text.length() > 300 ? text.substring(0, 300) + "…" : text;
    }

}
