package dev.tollgate.testsupport;

import io.netty.handler.codec.http.HttpHeaders;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** A request as {@link FakeUpstream} received it. */
public record RecordedRequest(String method, String uri, HttpHeaders headers, String body) {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    public String header(String name) {
        return headers.get(name);
    }

    public JsonNode json() {
        return JSON.readTree(body);
    }

}
