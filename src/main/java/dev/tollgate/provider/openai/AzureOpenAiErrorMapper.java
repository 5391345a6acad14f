package dev.tollgate.provider.openai;

import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import dev.tollgate.provider.UpstreamErrorDecoder;
import dev.tollgate.provider.UpstreamException;

/**
 * Azure's errors are OpenAI's shape, with one case worth keeping apart: a prompt stopped by Azure's content filter is
 * a 400 with {@code code: "content_filter"}, which the client gets as such (as Azure's own clients do) instead of a
 * generic rejected request.
 */
final class AzureOpenAiErrorMapper implements UpstreamErrorDecoder {

    private final OpenAiErrorMapper openAi;
    private final JsonMapper json;
    private final String provider;

    AzureOpenAiErrorMapper(OpenAiErrorMapper openAi, JsonMapper json, String provider) {
        this.openAi = openAi;
        this.json = json;
        this.provider = provider;
    }

    @Override
    public UpstreamException decode(int status, HttpHeaders headers, byte[] body) {
        if (status == 400) {
            try {
                JsonNode error = json.readTree(body).path("error");
                if ("content_filter".equals(error.path("code").asString(""))) {
                    return new UpstreamException(HttpStatus.BAD_REQUEST, "content_filter", "Provider " + provider
                            + " filtered the prompt: " + error.path("message").asString(""), status, false, null,
                            null);
                }
            }
            catch (JacksonException notJson) {
                // the OpenAI mapper reports it
            }
        }
        return openAi.decode(status, headers, body);
    }

}
