package dev.tollgate.billing;

import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;

import dev.tollgate.testsupport.DashboardUser;

/** A PUT as the dashboard sends it (session cookie and CSRF token), which {@link DashboardUser} has no method for. */
final class DashboardPut {

    private DashboardPut() {
    }

    static WebTestClient.ResponseSpec put(WebTestClient client, DashboardUser user, String path, Object body) {
        return client.put()
            .uri(path)
            .cookie("TOLLGATE_SESSION", user.session())
            .cookie("XSRF-TOKEN", user.csrfToken())
            .header("X-XSRF-TOKEN", user.csrfToken())
            .contentType(MediaType.APPLICATION_JSON)
            .bodyValue(body)
            .exchange();
    }

}
