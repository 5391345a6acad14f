package dev.tollgate.proxy;

import java.time.Clock;

import org.springframework.http.MediaType;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import tools.jackson.databind.node.ObjectNode;

import dev.tollgate.account.ApiKeyService;
import dev.tollgate.account.AuthenticatedKey;
import dev.tollgate.common.ApiException;
import dev.tollgate.metering.MeteringService;
import dev.tollgate.provider.ChatCall;
import dev.tollgate.provider.ChatCompletion;
import dev.tollgate.provider.ChatProvider;
import dev.tollgate.provider.ProviderRegistry;
import dev.tollgate.routing.CatalogModel;
import dev.tollgate.routing.ModelCatalog;

/**
 * {@code POST /v1/chat/completions}: authenticate the key, read and validate the request, resolve the model, call
 * its provider, and relay the answer (whole, or chunk by chunk), recording the call exactly once.
 */
final class ChatCompletionsHandler {

    static final String GENERATION_HEADER = "x-tollgate-generation-id";

    private final ApiKeyService keys;
    private final ChatRequestReader reader;
    private final ModelCatalog catalog;
    private final ProviderRegistry providers;
    private final MeteringService metering;
    private final ResponseShaper shaper;
    private final StreamRelay relay;
    private final Clock clock;

    ChatCompletionsHandler(ApiKeyService keys, ChatRequestReader reader, ModelCatalog catalog,
            ProviderRegistry providers, MeteringService metering, ResponseShaper shaper, StreamRelay relay,
            Clock clock) {
        this.keys = keys;
        this.reader = reader;
        this.catalog = catalog;
        this.providers = providers;
        this.metering = metering;
        this.shaper = shaper;
        this.relay = relay;
        this.clock = clock;
    }

    Mono<ServerResponse> handle(ServerRequest request) {
        return keys.authenticate(ApiKeyHeaders.presentedKey(request)).flatMap(key -> handle(request, key));
    }

    private Mono<ServerResponse> handle(ServerRequest request, AuthenticatedKey key) {
        GenerationTracker tracker = new GenerationTracker(GenerationIds.next(), key, "", false, metering, clock);
        request.exchange().getResponse().getHeaders().set(GENERATION_HEADER, tracker.publicId());
        return reader.readChat(request)
            .flatMap(chat -> {
                tracker.requested(chat.model(), chat.stream());
                return catalog.require(chat.model()).flatMap(model -> serve(chat, model, tracker));
            })
            .doOnError(error -> {
                ApiException api = ProxyErrors.toApiException(error);
                tracker.finish(api.status().value(), api.code(), false);
            })
            .doOnCancel(() -> tracker.finish(ProxyErrors.CLIENT_CLOSED, "client_closed", true));
    }

    private Mono<ServerResponse> serve(ChatRequest chat, CatalogModel model, GenerationTracker tracker) {
        ChatProvider provider = providers.find(model.provider())
            .orElseThrow(() -> ApiException.noProvider("Model " + model.id() + " is served by provider '"
                    + model.provider() + "', which is not configured (tollgate.providers." + model.provider() + ")."));
        tracker.routedTo(model.id(), provider.name());
        ChatCall call = new ChatCall(chat.body(), model.upstreamId(), chat.stream());
        return chat.stream() ? stream(provider, call, chat, tracker) : complete(provider, call, chat, tracker);
    }

    private Mono<ServerResponse> complete(ChatProvider provider, ChatCall call, ChatRequest chat,
            GenerationTracker tracker) {
        return provider.complete(call).flatMap(completion -> {
            tracker.upstreamAnswered();
            tracker.usage(completion.usage());
            ObjectNode body = completion.body();
            tracker.observeChoices(body.path("choices"));
            shaper.brand(body, tracker);
            body.set("usage", shaper.usageJson(completion.usage(), null));
            byte[] bytes = shaper.bytes(body);
            tracker.finish(200, null, false);
            return ServerResponse.ok().contentType(MediaType.APPLICATION_JSON).bodyValue(bytes);
        });
    }

    private Mono<ServerResponse> stream(ChatProvider provider, ChatCall call, ChatRequest chat,
            GenerationTracker tracker) {
        Flux<byte[]> frames = relay.relay(provider.stream(call), chat, tracker);
        return ServerResponse.ok()
            .contentType(MediaType.TEXT_EVENT_STREAM)
            .header("Cache-Control", "no-cache")
            .header("X-Accel-Buffering", "no")
            .build((exchange, context) -> {
                ServerHttpResponse response = exchange.getResponse();
                // Flush every frame: a chunk must reach the client when it arrives, not when a buffer fills.
                return response.writeAndFlushWith(frames.map(frame -> Mono.just(response.bufferFactory().wrap(frame))));
            });
    }

}
