package dev.tollgate.proxy;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;

import dev.tollgate.testsupport.DashboardUser;
import dev.tollgate.testsupport.FakeReply;
import dev.tollgate.testsupport.FakeUpstream;
import dev.tollgate.testsupport.IntegrationTest;

import static org.assertj.core.api.Assertions.assertThat;

/** A web page calling the proxy API with a key, from another origin, as OpenAI's API lets it. */
@IntegrationTest
class ProxyCorsIntegrationTests {

    private static final String PAGE = "https://app.example";

    @Autowired
    WebTestClient client;

    final FakeUpstream upstream = FakeUpstream.shared();

    String key;

    @BeforeEach
    void setUp() {
        upstream.reset();
        key = DashboardUser.signUp(client).createKey("browser");
    }

    @Test
    void aPageMayCallTheProxyApiWithAKeyAndReadItsHeaders() {
        for (String path : new String[] { "/v1/chat/completions", "/v1/messages", "/v1/embeddings" }) {
            client.options().uri(path)
                .header(HttpHeaders.ORIGIN, PAGE)
                .header(HttpHeaders.ACCESS_CONTROL_REQUEST_METHOD, "POST")
                .header(HttpHeaders.ACCESS_CONTROL_REQUEST_HEADERS, "authorization,content-type,x-tollgate-cache")
                .exchange()
                .expectStatus().isOk()
                .expectHeader().valueEquals(HttpHeaders.ACCESS_CONTROL_ALLOW_ORIGIN, "*")
                .expectHeader().value(HttpHeaders.ACCESS_CONTROL_ALLOW_HEADERS, allowed -> assertThat(allowed)
                    .contains("authorization").contains("x-tollgate-cache"))
                .expectHeader().doesNotExist(HttpHeaders.ACCESS_CONTROL_ALLOW_CREDENTIALS);
        }

        upstream.enqueue(FakeReply.json(200, """
                {"id":"chatcmpl-C","object":"chat.completion","created":1733000000,"model":"gpt-4o-mini",
                 "choices":[{"index":0,"message":{"role":"assistant","content":"Hi"},"finish_reason":"stop"}],
                 "usage":{"prompt_tokens":9,"completion_tokens":1,"total_tokens":10}}"""));
        client.post().uri("/v1/chat/completions").header(HttpHeaders.ORIGIN, PAGE)
            .header("Authorization", "Bearer " + key).contentType(MediaType.APPLICATION_JSON)
            .bodyValue(ChatCompletionsIntegrationTests.simpleRequest(false))
            .exchange()
            .expectStatus().isOk()
            .expectHeader().valueEquals(HttpHeaders.ACCESS_CONTROL_ALLOW_ORIGIN, "*")
            .expectHeader().value(HttpHeaders.ACCESS_CONTROL_EXPOSE_HEADERS, exposed -> assertThat(exposed)
                .contains(ChatCompletionsHandler.GENERATION_HEADER).contains("x-ratelimit-remaining-requests"));
        // An error is readable too: without the header, the page's fetch sees a network error, not the 401.
        client.post().uri("/v1/chat/completions").header(HttpHeaders.ORIGIN, PAGE)
            .contentType(MediaType.APPLICATION_JSON).bodyValue(ChatCompletionsIntegrationTests.simpleRequest(false))
            .exchange()
            .expectStatus().isUnauthorized()
            .expectHeader().valueEquals(HttpHeaders.ACCESS_CONTROL_ALLOW_ORIGIN, "*");
        client.get().uri("/v1/models").header(HttpHeaders.ORIGIN, PAGE).exchange()
            .expectStatus().isOk()
            .expectHeader().valueEquals(HttpHeaders.ACCESS_CONTROL_ALLOW_ORIGIN, "*");
    }

    /** The dashboard's API runs on its session cookie: no other origin's page may call it. */
    @Test
    void theDashboardApiTakesNoCrossOriginCall() {
        DashboardUser user = DashboardUser.signUp(client);

        client.options().uri("/api/keys")
            .header(HttpHeaders.ORIGIN, PAGE)
            .header(HttpHeaders.ACCESS_CONTROL_REQUEST_METHOD, "POST")
            .exchange()
            .expectHeader().doesNotExist(HttpHeaders.ACCESS_CONTROL_ALLOW_ORIGIN);
        client.get().uri("/api/keys").cookie("TOLLGATE_SESSION", user.session()).header(HttpHeaders.ORIGIN, PAGE)
            .exchange()
            .expectHeader().doesNotExist(HttpHeaders.ACCESS_CONTROL_ALLOW_ORIGIN);
    }

}
