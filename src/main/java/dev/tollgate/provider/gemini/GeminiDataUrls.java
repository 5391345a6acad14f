package dev.tollgate.provider.gemini;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

import dev.tollgate.common.ApiException;

/**
 * Base64 data URLs ({@code data:image/png;base64,…}) as Gemini {@code inlineData} blobs. Gemini cannot fetch an
 * arbitrary web URL, and Tollgate does not fetch on a client's behalf, so other URLs fail with a 400.
 */
final class GeminiDataUrls {

    private static final String BASE64 = ";base64";

    private GeminiDataUrls() {
    }

    static ObjectNode inlineData(JsonMapper json, JsonNode url, String path) {
        String text = url.asString("");
        int comma = text.indexOf(',');
        if (!text.startsWith("data:") || comma < 0 || !text.substring(0, comma).endsWith(BASE64)) {
            throw ApiException.invalidParam(path, path + " must be a base64 data URL (data:image/png;base64,…) for "
                    + "Gemini models; Tollgate does not fetch URLs.");
        }
        String mimeType = text.substring("data:".length(), comma - BASE64.length());
        ObjectNode blob = json.createObjectNode();
        blob.put("mimeType", mimeType.isEmpty() ? "application/octet-stream" : mimeType);
        blob.put("data", text.substring(comma + 1));
        return blob;
    }

}
