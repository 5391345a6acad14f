package dev.tollgate.proxy;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;

import io.micrometer.common.KeyValue;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.server.reactive.observation.DefaultServerRequestObservationConvention;
import org.springframework.http.server.reactive.observation.ServerRequestObservationContext;
import org.springframework.http.server.reactive.observation.ServerRequestObservationConvention;
import org.springframework.mock.http.server.reactive.MockServerHttpRequest;
import org.springframework.mock.http.server.reactive.MockServerHttpResponse;

import static org.assertj.core.api.Assertions.assertThat;

class ProxyHotPathConventionTests {

    @Test
    void bootsDefaultConventionBecomesTheHotPathsUnderItsOwnName() {
        ServerRequestObservationConvention resolved = ProxyHotPath.hotPathConvention(
                new DefaultServerRequestObservationConvention("tollgate.http"));

        assertThat(resolved).isInstanceOf(ProxyHotPath.HotPathConvention.class);
        assertThat(resolved.getName()).isEqualTo("tollgate.http");
        ServerRequestObservationContext context = new ServerRequestObservationContext(
                MockServerHttpRequest.post("/v1/chat/completions?debug=1").build(), new MockServerHttpResponse(),
                new ConcurrentHashMap<>());
        context.setPathPattern("/v1/chat/completions");
        assertThat(resolved.getHighCardinalityKeyValues(context))
            .contains(KeyValue.of("http.url", "/v1/chat/completions"));
        assertThat(resolved.getLowCardinalityKeyValues(context))
            .contains(KeyValue.of("uri", "/v1/chat/completions"), KeyValue.of("method", "POST"));
    }

    @Test
    void namesAndKeyValuesAreWebFluxsOnEveryCall() {
        ServerRequestObservationConvention webFlux = new DefaultServerRequestObservationConvention();
        ServerRequestObservationConvention hotPath = new ProxyHotPath.HotPathConvention();
        List<ServerRequestObservationContext> contexts = new ArrayList<>();
        for (int status : new int[] { 200, 200, 201, 400, 429, 429, 502, 999 }) {
            contexts.add(context(HttpMethod.POST, "/v1/chat/completions", status, false, true));
        }
        contexts.add(context(HttpMethod.POST, "/v1/messages", 200, false, true));
        contexts.add(context(HttpMethod.POST, "/v1/messages", 200, true, false));
        contexts.add(context(HttpMethod.POST, "/v1/messages", 200, true, true));
        contexts.add(context(HttpMethod.POST, null, 200, false, true));
        contexts.add(context(HttpMethod.GET, "/v1/chat/completions", 200, false, true));
        contexts.add(context(HttpMethod.POST, "/v1/chat/completions", null, false, false));
        contexts.add(context(HttpMethod.POST, "/v1/chat/completions", 600, false, true));
        contexts.add(context(HttpMethod.POST, "/v1/chat/completions", 100, false, true));
        contexts.add(context(HttpMethod.POST, "/v1/chat/completions", 599, false, true));
        contexts.add(context(HttpMethod.POST, "/v1/chat/completions", 404, false, true));
        contexts.add(context(HttpMethod.POST, "", 200, false, true));
        ServerRequestObservationContext failed = context(HttpMethod.POST, "/v1/chat/completions", 500, false, true);
        failed.setError(new IllegalStateException("boom"));
        contexts.add(failed);
        contexts.add(context(HttpMethod.POST, "/v1/chat/completions", 500, false, true));
        // The same contexts again: what was made the first time is what WebFlux makes the second.
        contexts.addAll(List.copyOf(contexts));

        for (ServerRequestObservationContext context : contexts) {
            assertThat(hotPath.getContextualName(context)).isEqualTo(webFlux.getContextualName(context));
            assertThat(hotPath.getLowCardinalityKeyValues(context))
                .isEqualTo(webFlux.getLowCardinalityKeyValues(context));
        }
        // Made once: the same status or path again gets the values made the first time.
        ProxyHotPath.HotPathConvention madeOnce = new ProxyHotPath.HotPathConvention();
        assertThat(madeOnce.status(contexts.get(5))).isSameAs(madeOnce.status(contexts.get(4)));
        assertThat(madeOnce.getContextualName(contexts.get(1))).isSameAs(madeOnce.getContextualName(contexts.get(0)));
        assertThat(madeOnce.getLowCardinalityKeyValues(contexts.get(1)))
            .isSameAs(madeOnce.getLowCardinalityKeyValues(contexts.get(0)))
            .isNotSameAs(madeOnce.getLowCardinalityKeyValues(contexts.get(2)));
    }

    private static ServerRequestObservationContext context(HttpMethod method, @Nullable String path,
            @Nullable Integer status, boolean aborted, boolean committed) {
        MockServerHttpResponse response = new MockServerHttpResponse();
        if (status != null) {
            response.setStatusCode(HttpStatusCode.valueOf(status));
        }
        if (committed) {
            response.setComplete().block();
        }
        ServerRequestObservationContext context = new ServerRequestObservationContext(
                MockServerHttpRequest.method(method, "/v1/chat/completions").build(), response,
                new ConcurrentHashMap<>());
        context.setPathPattern(path);
        context.setConnectionAborted(aborted);
        return context;
    }

    @Test
    void anApplicationsOwnConventionIsKept() {
        ServerRequestObservationConvention own = new DefaultServerRequestObservationConvention("own") {
        };

        assertThat(ProxyHotPath.hotPathConvention(own)).isSameAs(own);
        assertThat(ProxyHotPath.hotPathConvention(null)).isNull();
    }
}
