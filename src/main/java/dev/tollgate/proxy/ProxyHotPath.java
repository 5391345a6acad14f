package dev.tollgate.proxy;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import io.micrometer.common.KeyValue;
import io.micrometer.common.KeyValues;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;
import io.micrometer.observation.contextpropagation.ObservationThreadLocalAccessor;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.server.reactive.HttpHandler;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.http.server.reactive.observation.DefaultServerRequestObservationConvention;
import org.springframework.http.server.reactive.observation.ServerHttpObservationDocumentation;
import org.springframework.http.server.reactive.observation.ServerHttpObservationDocumentation.HighCardinalityKeyNames;
import org.springframework.http.server.reactive.observation.ServerRequestObservationContext;
import org.springframework.http.server.reactive.observation.ServerRequestObservationConvention;
import reactor.core.publisher.Mono;
import reactor.core.publisher.SignalType;

import dev.tollgate.account.ApiKeyService;
import dev.tollgate.common.ApiErrorWebExceptionHandler;

/**
 * The calls a client makes for every generation, {@code POST /v1/chat/completions} and {@code POST /v1/messages} (and
 * the same under {@code /api/v1}), served by the HTTP server adapter itself; every other request goes on to WebFlux.
 * On these paths WebFlux only dispatched: it built an exchange (with its session, form and multipart hooks), ran the
 * web filters (Spring Security's firewall and chain matchers, though the proxy paths are outside its chain), matched
 * the routes and adapted the handler's {@code ServerResponse}: about a sixth of a call's CPU in the benchmark (README
 * "Benchmarks").
 *
 * <p>What WebFlux did that the call needs is done here the way WebFlux does it: the server observation (the
 * {@code http.server.requests} metrics and the span that continues the client's trace, with its context kept in the
 * request's attributes where {@link TraceIds} finds it, and in the Reactor context), and errors rendered as OpenAI's
 * error JSON by the same {@link ApiErrorWebExceptionHandler}.
 */
final class ProxyHotPath implements HttpHandler {

    private static final ServerRequestObservationConvention DEFAULT_CONVENTION = new HotPathConvention();

    private final HttpHandler webFlux;
    private final Map<String, HotPathHandler> handlers;
    private final ApiKeyService keys;
    private final GenerationTrackers trackers;
    private final ApiErrorWebExceptionHandler errors;
    private final ObservationRegistry observations;
    private final @Nullable ServerRequestObservationConvention convention;

    /**
     * @param handlers by path (each one is also its observation's path pattern), for {@code POST} only
     */
    ProxyHotPath(HttpHandler webFlux, Map<String, HotPathHandler> handlers, ApiKeyService keys,
            GenerationTrackers trackers, ApiErrorWebExceptionHandler errors, ObservationRegistry observations,
            @Nullable ServerRequestObservationConvention convention) {
        this.webFlux = webFlux;
        this.handlers = Map.copyOf(handlers);
        this.keys = keys;
        this.trackers = trackers;
        this.errors = errors;
        this.observations = observations;
        this.convention = hotPathConvention(convention);
    }

    /**
     * The convention the hot path's observations follow: Boot registers WebFlux's default convention as a bean (with the
     * configured name), which would take precedence over {@link HotPathConvention}; that one becomes a hot-path
     * convention of the same name. An application's own convention is kept as it is.
     */
    static @Nullable ServerRequestObservationConvention hotPathConvention(
            @Nullable ServerRequestObservationConvention configured) {
        if (configured != null && configured.getClass() == DefaultServerRequestObservationConvention.class) {
            return new HotPathConvention(configured.getName());
        }
        return configured;
    }

    @Override
    public Mono<Void> handle(ServerHttpRequest request, ServerHttpResponse response) {
        // The URI's raw path, already parsed; getPath() would parse it again into segments, for a map lookup.
        String path = request.getURI().getRawPath();
        HotPathHandler handler = request.getMethod() == HttpMethod.POST ? handlers.get(path) : null;
        if (handler == null) {
            return webFlux.handle(request, response);
        }
        ProxyCors.allow(request, response);
        Map<String, Object> attributes = new ConcurrentHashMap<>();
        ServerRequestObservationContext context = new HotPathObservationContext(request, response, attributes);
        context.setPathPattern(path);
        attributes.put(ServerRequestObservationContext.CURRENT_OBSERVATION_CONTEXT_ATTRIBUTE, context);
        Observation observation = ServerHttpObservationDocumentation.HTTP_REACTIVE_SERVER_REQUESTS
            .observation(convention, DEFAULT_CONVENTION, () -> context, observations);
        return Mono.defer(() -> {
            observation.start();
            return call(handler, request, response, attributes);
        })
            .onErrorResume(error -> {
                observation.error(error);
                GenerationTrackers.refusedCallId(response);
                return errors.render(request, response, error);
            })
            .then(Mono.defer(response::setComplete))
            .doOnError(context::setError)
            .doFinally(signal -> {
                // Committed by now (or never to be, the client gone): the status the observation records is final.
                context.setConnectionAborted(signal == SignalType.CANCEL);
                observation.stop();
            })
            .contextWrite(reactor -> reactor.put(ObservationThreadLocalAccessor.KEY, observation));
    }

    /**
     * WebFlux's own convention, with the same names and values, without the work it repeats on every call for a result
     * that does not change:
     * <ul>
     * <li>the URL is the raw path this class matched, which is what WebFlux's reads from {@code getPath()}, a parse of
     * the URI into segments made on every call only for that (at the observation's start and again at its end);</li>
     * <li>a status's key value is made once per status code, where WebFlux's turns the code into a new string each
     * time;</li>
     * <li>the span's name ({@code http post /v1/chat/completions}) is made once per path, where WebFlux's lower-cases
     * the method and concatenates at the start and again at the end;</li>
     * <li>the five low-cardinality values of a call without an error (exception, method, outcome, status, uri) are
     * made once per path and status, where WebFlux's makes each, looks the method up in a set and sorts the five, at
     * the start and again at the end (0.7% of the CPU at 500 requests/s).</li>
     * </ul>
     * The second and third took about 0.2 KiB off a call's 40 KiB of allocation at 500 requests/s (README
     * "Benchmarks").
     */
    static final class HotPathConvention extends DefaultServerRequestObservationConvention {

        private static final int LOWEST_STATUS = 100;

        private final KeyValue[] statuses = new KeyValue[600 - LOWEST_STATUS];

        /** By path pattern: the few paths this class serves. */
        private final Map<String, String> postNames = new ConcurrentHashMap<>();

        /** By path pattern, then by status code (at 0, no status yet: the observation's start). */
        private final Map<String, KeyValues[]> postValues = new ConcurrentHashMap<>();

        HotPathConvention() {
        }

        HotPathConvention(String name) {
            super(name);
        }

        @Override
        protected KeyValue httpUrl(ServerRequestObservationContext context) {
            String path = context.getPathPattern();
            return path != null ? KeyValue.of(HighCardinalityKeyNames.HTTP_URL, path) : super.httpUrl(context);
        }

        @Override
        protected KeyValue status(ServerRequestObservationContext context) {
            ServerHttpResponse response = context.getResponse();
            HttpStatusCode code = response != null ? response.getStatusCode() : null;
            if (code == null || (context.isConnectionAborted() && !response.isCommitted())) {
                return super.status(context);
            }
            int index = code.value() - LOWEST_STATUS;
            if (index < 0 || index >= statuses.length) {
                return super.status(context);
            }
            KeyValue status = statuses[index];
            if (status == null) {
                // Racing threads may each make one; they are equal and immutable, and any of them may stay.
                status = super.status(context);
                statuses[index] = status;
            }
            return status;
        }

        @Override
        public KeyValues getLowCardinalityKeyValues(ServerRequestObservationContext context) {
            ServerHttpRequest request = context.getCarrier();
            ServerHttpResponse response = context.getResponse();
            String path = context.getPathPattern();
            // An error names its class, and an aborted call's status depends on whether its answer was committed.
            if (request == null || response == null || request.getMethod() != HttpMethod.POST || path == null
                    || context.getError() != null || context.isConnectionAborted()) {
                return super.getLowCardinalityKeyValues(context);
            }
            HttpStatusCode code = response.getStatusCode();
            int index = code == null ? 0 : code.value() - LOWEST_STATUS + 1;
            if (index < 0 || index > statuses.length) {
                return super.getLowCardinalityKeyValues(context);
            }
            KeyValues[] byStatus = postValues.get(path);
            if (byStatus == null) {
                byStatus = new KeyValues[statuses.length + 1];
                KeyValues[] raced = postValues.putIfAbsent(path, byStatus);
                byStatus = raced != null ? raced : byStatus;
            }
            KeyValues values = byStatus[index];
            if (values == null) {
                // As with statuses: racing threads make equal, immutable values.
                values = super.getLowCardinalityKeyValues(context);
                byStatus[index] = values;
            }
            return values;
        }

        @Override
        public @Nullable String getContextualName(ServerRequestObservationContext context) {
            ServerHttpRequest request = context.getCarrier();
            String path = context.getPathPattern();
            if (request == null || request.getMethod() != HttpMethod.POST || path == null) {
                return super.getContextualName(context);
            }
            // Not computeIfAbsent: its function would capture the context, an allocation on every call.
            String name = postNames.get(path);
            if (name == null) {
                name = super.getContextualName(context);
                postNames.put(path, name);
            }
            return name;
        }

    }

    /** The key authenticated, the call tracked (failed or cancelled with its answer), the answer written. */
    private Mono<Void> call(HotPathHandler handler, ServerHttpRequest request, ServerHttpResponse response,
            Map<String, Object> attributes) {
        return keys.authenticate(ApiKeyHeaders.presentedKey(request.getHeaders()))
            .flatMap(key -> {
                GenerationTracker tracker = trackers.start(key, request, response, attributes);
                return handler.answer(request, tracker).doOnError(tracker::fail).doOnCancel(tracker::cancelled);
            })
            .flatMap(answer -> answer.writeTo(response));
    }

}
