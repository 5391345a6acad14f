package dev.tollgate.dashboard;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;
import org.springframework.core.io.ByteArrayResource;
import org.springframework.core.io.ClassPathResource;
import org.springframework.http.CacheControl;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;

import static org.assertj.core.api.Assertions.assertThat;

class DashboardRoutesTests {

    private static final String INDEX = "<!doctype html><div id=\"root\"></div>";

    private final WebTestClient client = WebTestClient
        .bindToRouterFunction(DashboardRoutes.of(DashboardPage.load(new ByteArrayResource(
                INDEX.getBytes(StandardCharsets.UTF_8)))))
        .build();

    @Test
    void deepLinksOfTheAppGetIndexHtmlThatBrowsersRevalidate() {
        for (String path : new String[] { "/", "/keys", "/activity", "/activity/gen-3f9c2a", "/usage",
                "/apiary", "/v1beta", "/login" }) {
            client.get().uri(path).accept(MediaType.TEXT_HTML, MediaType.ALL).exchange()
                .expectStatus().isOk()
                .expectHeader().contentTypeCompatibleWith(MediaType.TEXT_HTML)
                .expectHeader().cacheControl(CacheControl.noCache())
                .expectBody(String.class).isEqualTo(INDEX);
        }
    }

    @Test
    void requestsWithoutAnAcceptHeaderOrAcceptingAnythingGetThePage() {
        client.get().uri("/credits").exchange().expectStatus().isOk();
        client.get().uri("/credits").accept(MediaType.ALL).exchange().expectStatus().isOk();
        client.head().uri("/credits").accept(MediaType.TEXT_HTML).exchange().expectStatus().isOk();
    }

    @Test
    void apiPathsAreNeverAnsweredWithThePage() {
        for (String path : new String[] { "/api", "/api/keys", "/api/nope", "/v1", "/v1/models", "/v1/nope",
                "/actuator", "/actuator/health" }) {
            client.get().uri(path).accept(MediaType.TEXT_HTML).exchange().expectStatus().isNotFound();
        }
    }

    @Test
    void filesAreLeftToStaticResourceServing() {
        for (String path : new String[] { "/assets/index-3f9c2a.js", "/favicon.svg", "/robots.txt" }) {
            client.get().uri(path).accept(MediaType.ALL).exchange().expectStatus().isNotFound();
        }
    }

    @Test
    void onlyBrowserNavigationsGetThePage() {
        client.get().uri("/keys").accept(MediaType.APPLICATION_JSON).exchange().expectStatus().isNotFound();
        client.post().uri("/keys").accept(MediaType.TEXT_HTML).exchange().expectStatus().isNotFound();
        client.delete().uri("/keys").exchange().expectStatus().isNotFound();
    }

    @Test
    void aJarBuiltWithoutTheFrontendSaysSoInsteadOfAnEmptyPage() {
        DashboardPage page = DashboardPage.load(new ClassPathResource("no-such-folder/index.html"));
        assertThat(page.built()).isFalse();
        WebTestClient.bindToRouterFunction(DashboardRoutes.of(page)).build()
            .get().uri("/keys").accept(MediaType.TEXT_HTML).exchange()
            .expectStatus().isEqualTo(HttpStatus.NOT_FOUND)
            .expectHeader().contentTypeCompatibleWith(MediaType.TEXT_HTML)
            .expectBody(String.class).value(body -> assertThat(body).contains("-Dfrontend.skip"));
    }

}
