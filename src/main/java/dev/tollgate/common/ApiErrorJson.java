package dev.tollgate.common;

import java.nio.charset.StandardCharsets;

import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/** Serializes an {@link ApiException} as OpenAI's error body; used for HTTP errors and mid-stream SSE errors alike. */
public final class ApiErrorJson {

    private final JsonMapper json;

    public ApiErrorJson(JsonMapper json) {
        this.json = json;
    }

    public ObjectNode tree(ApiException error) {
        ObjectNode root = json.createObjectNode();
        ObjectNode body = root.putObject("error");
        body.put("message", error.getMessage());
        body.put("type", error.type());
        if (error.param() == null) {
            body.putNull("param");
        }
        else {
            body.put("param", error.param());
        }
        body.put("code", error.code());
        return root;
    }

    public byte[] bytes(ApiException error) {
        return json.writeValueAsString(tree(error)).getBytes(StandardCharsets.UTF_8);
    }

}
