package dev.tollgate.proxy;

import java.time.Clock;
import java.util.Map;

import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;

import dev.tollgate.account.AuthenticatedKey;
import dev.tollgate.cache.CacheDirective;
import dev.tollgate.metering.GenerationIds;
import dev.tollgate.metering.MeteringService;
import dev.tollgate.metering.TokenCounter;

/** Starts the tracker of each call with what every tracker shares. */
final class GenerationTrackers {

    private final MeteringService metering;
    private final TokenCounter tokens;
    private final Clock clock;

    GenerationTrackers(MeteringService metering, TokenCounter tokens, Clock clock) {
        this.metering = metering;
        this.tokens = tokens;
        this.clock = clock;
    }

    /**
     * A call refused before it had a tracker (no key, an unknown key) still answers with a generation id, as every
     * answer does: one of its own, for the client's report and the logs, which no generation is found by.
     */
    static void refusedCallId(ServerHttpResponse response) {
        if (response.getHeaders().getFirst(ChatCompletionsHandler.GENERATION_HEADER) == null) {
            String id = GenerationIds.format(GenerationIds.next());
            response.getHeaders().set(ChatCompletionsHandler.GENERATION_HEADER, id);
        }
    }

    GenerationTracker start(AuthenticatedKey key, ServerWebExchange exchange) {
        return start(key, TraceIds.of(exchange));
    }

    /**
     * A tracker for a call served by {@link ProxyHotPath}, in the call's trace, whose answer will carry the generation
     * id and the rate-limit headers.
     */
    GenerationTracker start(AuthenticatedKey key, ServerHttpRequest request, ServerHttpResponse response,
            Map<String, Object> attributes) {
        GenerationTracker tracker = start(key, TraceIds.of(attributes, request.getHeaders()));
        response.getHeaders().set(ChatCompletionsHandler.GENERATION_HEADER, tracker.publicId());
        response.beforeCommit(() -> Mono.fromRunnable(() -> {
            tracker.rateLimitHeaders().forEach(response.getHeaders()::set);
            String cache = tracker.cacheResult();
            if (cache != null) {
                response.getHeaders().set(CacheDirective.HEADER, cache);
            }
        }));
        return tracker;
    }

    GenerationTracker start(AuthenticatedKey key, TraceIds.Trace trace) {
        GenerationTracker tracker = new GenerationTracker(GenerationIds.next(), key, metering, tokens, clock);
        tracker.trace(trace.id(), trace.upstreamTraceparent());
        return tracker;
    }

}
