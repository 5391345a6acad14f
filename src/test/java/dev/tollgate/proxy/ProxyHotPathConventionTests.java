package dev.tollgate.proxy;

import java.util.concurrent.ConcurrentHashMap;

import io.micrometer.common.KeyValue;
import org.junit.jupiter.api.Test;
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
    void anApplicationsOwnConventionIsKept() {
        ServerRequestObservationConvention own = new DefaultServerRequestObservationConvention("own") {
        };

        assertThat(ProxyHotPath.hotPathConvention(own)).isSameAs(own);
        assertThat(ProxyHotPath.hotPathConvention(null)).isNull();
    }
}
