package dev.tollgate.dashboard;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;

import dev.tollgate.testsupport.DashboardUser;
import dev.tollgate.testsupport.IntegrationTest;

/**
 * In the whole application the dashboard's catch-all route must not shadow the APIs: a browser asking for HTML on an
 * API path still gets the API's JSON, while the app's own paths get the page.
 */
@IntegrationTest
class DashboardServingIntegrationTests {

    @Autowired
    WebTestClient client;

    @Test
    void appPathsGetHtmlWithoutLoggingIn() {
        for (String path : new String[] { "/", "/keys", "/activity/gen-123", "/login" }) {
            client.get().uri(path).accept(MediaType.TEXT_HTML).exchange()
                .expectHeader().contentTypeCompatibleWith(MediaType.TEXT_HTML)
                .expectHeader().valueEquals("Cache-Control", "no-cache");
        }
    }

    @Test
    void unknownApiPathsStayJsonErrorsEvenForBrowsers() {
        DashboardUser user = DashboardUser.signUp(client);
        client.get().uri("/api/no-such-thing").cookie("TOLLGATE_SESSION", user.session())
            .accept(MediaType.TEXT_HTML, MediaType.ALL).exchange()
            .expectStatus().isNotFound()
            .expectHeader().contentTypeCompatibleWith(MediaType.APPLICATION_JSON)
            .expectBody().jsonPath("$.error.code").isEqualTo("not_found");
        client.get().uri("/api/keys").accept(MediaType.TEXT_HTML).exchange()
            .expectStatus().isUnauthorized()
            .expectHeader().contentTypeCompatibleWith(MediaType.APPLICATION_JSON);
        client.get().uri("/v1/no-such-thing").accept(MediaType.TEXT_HTML).exchange()
            .expectStatus().isNotFound()
            .expectHeader().contentTypeCompatibleWith(MediaType.APPLICATION_JSON);
    }

    @Test
    void theModelCatalogStaysJsonForBrowsers() {
        client.get().uri("/v1/models").accept(MediaType.TEXT_HTML, MediaType.ALL).exchange()
            .expectStatus().isOk()
            .expectHeader().contentTypeCompatibleWith(MediaType.APPLICATION_JSON)
            .expectBody().jsonPath("$.object").isEqualTo("list");
    }

}
