package dev.tollgate.proxy;

import java.util.Map;

import io.micrometer.tracing.Span;
import io.micrometer.tracing.TraceContext;
import io.micrometer.tracing.handler.TracingObservationHandler;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpHeaders;
import org.springframework.http.server.reactive.observation.ServerRequestObservationContext;
import org.springframework.web.server.ServerWebExchange;

/**
 * The trace a call belongs to: the span tracing started for it (which continues the client's W3C {@code traceparent}),
 * or, with tracing off, the trace id of the client's {@code traceparent} itself; and the {@code traceparent} that
 * carries it on to the provider.
 */
final class TraceIds {

    private TraceIds() {
    }

    /**
     * The call's trace id (for logs and the request log) and the W3C {@code traceparent} to send the provider: naming
     * Tollgate's span as the parent when tracing started one, else the client's own header when it is well formed.
     */
    record Trace(@Nullable String id, @Nullable String upstreamTraceparent) {
    }

    static Trace of(ServerWebExchange exchange) {
        return of(exchange.getAttributes(), exchange.getRequest().getHeaders());
    }

    /** @param attributes the request's attributes, where the server's observation context is kept */
    static Trace of(Map<String, Object> attributes, HttpHeaders headers) {
        Span span = span(attributes);
        if (span != null) {
            TraceContext context = span.context();
            return new Trace(context.traceId(), "00-" + context.traceId() + "-" + context.spanId()
                    + (Boolean.TRUE.equals(context.sampled()) ? "-01" : "-00"));
        }
        String header = headers.getFirst("traceparent");
        String traceId = fromTraceparent(header);
        return new Trace(traceId, traceId == null ? null : header);
    }

    private static @Nullable Span span(Map<String, Object> attributes) {
        ServerRequestObservationContext observed = ServerRequestObservationContext.findCurrent(attributes)
            .orElse(null);
        TracingObservationHandler.TracingContext tracing = observed == null ? null
                : observed.get(TracingObservationHandler.TracingContext.class);
        Span span = tracing == null ? null : tracing.getSpan();
        return span != null && !span.isNoop() ? span : null;
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
