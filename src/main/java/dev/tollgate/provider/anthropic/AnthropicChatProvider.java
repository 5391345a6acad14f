package dev.tollgate.provider.anthropic;

import java.net.URI;
import java.time.Clock;
import java.util.List;

import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpHeaders;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import tools.jackson.databind.json.JsonMapper;

import dev.tollgate.provider.ChatCall;
import dev.tollgate.provider.ChatCompletion;
import dev.tollgate.provider.ChatProvider;
import dev.tollgate.provider.ChatStreamEvent;
import dev.tollgate.provider.UpstreamHttp;
import dev.tollgate.provider.UpstreamHttp.KeyPolicy;

/**
 * Anthropic's Messages API ({@code POST /v1/messages}, {@code x-api-key}, {@code anthropic-version}). The base URL
 * is the API root without {@code /v1} as in Anthropic's SDKs; one that already ends in {@code /v1} is accepted too.
 */
final class AnthropicChatProvider implements ChatProvider {

    static final String DEFAULT_VERSION = "2023-06-01";

    private final UpstreamHttp http;
    private final String version;
    private final URI messages;
    private final JsonMapper json;
    private final Clock clock;
    private final AnthropicRequestMapper requests;
    private final AnthropicResponseMapper responses;
    private final AnthropicErrorMapper errors;

    AnthropicChatProvider(UpstreamHttp http, String version, JsonMapper json, Clock clock) {
        this.http = http;
        this.version = version;
        String root = http.baseUrl().toString().replaceAll("/+$", "");
        this.messages = URI.create(root + (root.endsWith("/v1") ? "/messages" : "/v1/messages"));
        this.json = json;
        this.clock = clock;
        this.requests = new AnthropicRequestMapper(json, http.provider());
        this.responses = new AnthropicResponseMapper(json, http.provider(), clock);
        this.errors = new AnthropicErrorMapper(json, http.provider());
    }

    @Override
    public String name() {
        return http.provider();
    }

    @Override
    public Mono<ChatCompletion> complete(ChatCall call) {
        return Mono.defer(() -> http.postJson(call.attempt(), messages, KeyPolicy.REQUIRED, this::headers,
                requests.toBody(call), errors))
            .map(responses::toCompletion);
    }

    @Override
    public Flux<ChatStreamEvent> stream(ChatCall call) {
        return AnthropicStreamDecoder.decode(
                Flux.defer(() -> http.postForEvents(call.attempt(), messages, KeyPolicy.REQUIRED, this::headers,
                        requests.toBody(call), errors, List::of)), json,
                http.provider(), clock);
    }

    @Override
    public void close() {
        http.close();
    }

    private void headers(HttpHeaders headers, @Nullable String key) {
        if (key != null) {
            headers.set("x-api-key", key);
        }
        headers.set("anthropic-version", version);
    }

}
