package dev.tollgate.proxy;

import io.micrometer.tracing.Span;
import io.micrometer.tracing.handler.TracingObservationHandler;
import org.jspecify.annotations.Nullable;
import org.springframework.http.server.reactive.observation.ServerRequestObservationContext;
import org.springframework.web.server.ServerWebExchange;

/**
 * The trace a call belongs to: the span tracing started for it (which continues the client's W3C {@code traceparent}),
 * or, with tracing off, the trace id of the client's {@code traceparent} itself.
 */
final class TraceIds {

    private TraceIds() {
    }

    static @Nullable String of(ServerWebExchange exchange) {
        ServerRequestObservationContext observed = ServerRequestObservationContext.findCurrent(exchange.getAttributes())
            .orElse(null);
        if (observed != null) {
            TracingObservationHandler.TracingContext tracing = observed
                .get(TracingObservationHandler.TracingContext.class);
            Span span = tracing == null ? null : tracing.getSpan();
            if (span != null && !span.isNoop()) {
                return span.context().traceId();
            }
        }
        return fromTraceparent(exchange.getRequest().getHeaders().getFirst("traceparent"));
    }

    /** The client's W3C {@code traceparent} header when it is well formed, else null. */
    static @Nullable String traceparent(ServerWebExchange exchange) {
        String header = exchange.getRequest().getHeaders().getFirst("traceparent");
        return fromTraceparent(header) == null ? null : header;
    }

    /** The trace id of a W3C {@code traceparent} ({@code 00-<32 hex>-<16 hex>-<2 hex>}), or null when malformed. */
    static @Nullable String fromTraceparent(@Nullable String traceparent) {
        if (traceparent == null || traceparent.length() != 55 || traceparent.charAt(2) != '-'
                || traceparent.charAt(35) != '-' || traceparent.charAt(52) != '-') {
            return null;
        }
        String traceId = traceparent.substring(3, 35);
        for (int i = 0; i < traceId.length(); i++) {
            char c = traceId.charAt(i);
            if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
                return null;
            }
        }
        return traceId.equals("0".repeat(32)) ? null : traceId;
    }

}
