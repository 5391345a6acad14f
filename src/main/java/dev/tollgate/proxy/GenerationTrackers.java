package dev.tollgate.proxy;

import java.time.Clock;

import org.springframework.web.server.ServerWebExchange;

import dev.tollgate.account.AuthenticatedKey;
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

    GenerationTracker start(AuthenticatedKey key, ServerWebExchange exchange) {
        return start(key, TraceIds.of(exchange));
    }

    GenerationTracker start(AuthenticatedKey key, TraceIds.Trace trace) {
        GenerationTracker tracker = new GenerationTracker(GenerationIds.next(), key, metering, tokens, clock);
        tracker.trace(trace.id(), trace.upstreamTraceparent());
        return tracker;
    }

}
