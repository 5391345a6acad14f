package dev.tollgate.account;

import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseCookie;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.test.web.reactive.server.EntityExchangeResult;
import org.springframework.test.web.reactive.server.WebTestClient;

import dev.tollgate.testsupport.DashboardUser;
import dev.tollgate.testsupport.IntegrationTest;
import dev.tollgate.testsupport.SecondInstance;
import dev.tollgate.testsupport.TestEnvironment;

import static org.assertj.core.api.Assertions.assertThat;

@IntegrationTest
class AccountIntegrationTests {

    @Autowired
    WebTestClient client;

    @Autowired
    DatabaseClient db;

    @Test
    void signUpCreatesATenantOwnedByTheUserAndLogsIn() {
        DashboardUser user = DashboardUser.signUp(client);

        user.get("/api/me").expectStatus().isOk()
            .expectBody()
            .jsonPath("$.user.email").isEqualTo(user.email())
            .jsonPath("$.tenant.name").isEqualTo("Org of " + user.email())
            .jsonPath("$.tenant.id").isEqualTo(user.tenantId().toString())
            .jsonPath("$.role").isEqualTo("owner");
    }

    @Test
    void theSessionCookieIsHttpOnly() {
        DashboardUser user = DashboardUser.signUp(client);
        EntityExchangeResult<byte[]> login = client.post().uri("/api/auth/login")
            .cookie("XSRF-TOKEN", user.csrfToken()).header("X-XSRF-TOKEN", user.csrfToken())
            .contentType(MediaType.APPLICATION_JSON)
            .bodyValue(Map.of("email", user.email(), "password", user.password()))
            .exchange().expectStatus().isOk().expectBody().returnResult();

        ResponseCookie cookie = login.getResponseCookies().getFirst("TOLLGATE_SESSION");
        assertThat(cookie).isNotNull();
        assertThat(cookie.isHttpOnly()).isTrue();
        assertThat(cookie.getSameSite()).isEqualTo("Lax");
        client.get().uri("/api/me").cookie("TOLLGATE_SESSION", cookie.getValue()).exchange()
            .expectStatus().isOk();
    }

    @Test
    void aWrongPasswordAndAnUnknownEmailGetTheSameAnswer() {
        DashboardUser user = DashboardUser.signUp(client);

        String wrongPassword = loginBody(user, user.email(), "not the password");
        String unknownEmail = loginBody(user, "nobody-" + user.email(), "not the password");

        assertThat(wrongPassword).isEqualTo(unknownEmail).contains("\"code\":\"invalid_credentials\"");
    }

    @Test
    void logoutEndsTheSession() {
        DashboardUser user = DashboardUser.signUp(client);

        user.post("/api/auth/logout", Map.of()).expectStatus().isOk();

        user.get("/api/me").expectStatus().isUnauthorized()
            .expectBody().jsonPath("$.error.type").isEqualTo("authentication_error");
    }

    @Test
    void stateChangingCallsWithoutTheCsrfTokenAreRefused() {
        DashboardUser user = DashboardUser.signUp(client);

        client.post().uri("/api/keys").cookie("TOLLGATE_SESSION", user.session())
            .contentType(MediaType.APPLICATION_JSON).bodyValue(Map.of("name", "no csrf"))
            .exchange()
            .expectStatus().isForbidden()
            .expectBody().jsonPath("$.error.code").isEqualTo("csrf_token_invalid");
        client.post().uri("/api/keys").cookie("TOLLGATE_SESSION", user.session())
            .cookie("XSRF-TOKEN", user.csrfToken()).header("X-XSRF-TOKEN", "forged")
            .contentType(MediaType.APPLICATION_JSON).bodyValue(Map.of("name", "forged csrf"))
            .exchange()
            .expectStatus().isForbidden();
    }

    @Test
    void aTakenEmailCannotSignUpAgain() {
        DashboardUser user = DashboardUser.signUp(client);

        client.post().uri("/api/auth/signup")
            .cookie("XSRF-TOKEN", user.csrfToken()).header("X-XSRF-TOKEN", user.csrfToken())
            .contentType(MediaType.APPLICATION_JSON)
            .bodyValue(Map.of("email", user.email().toUpperCase(), "password", "another password"))
            .exchange()
            .expectStatus().isEqualTo(409)
            .expectBody().jsonPath("$.error.code").isEqualTo("email_taken");
    }

    /** Nobody verifies emails: without the code, whoever signed up first with an operator's email would be one. */
    @Test
    void anOperatorsAccountCanOnlyBeCreatedWithTheOperatorCode() {
        DashboardUser user = DashboardUser.signUp(client);
        String email = TestEnvironment.UNCLAIMED_OPERATOR_EMAIL.toUpperCase(Locale.ROOT);
        List<Map<String, String>> refused = List.of(Map.of("email", email, "password", "correct horse battery"),
                Map.of("email", email, "password", "correct horse battery", "operatorCode", "guess"),
                Map.of("email", email, "password", "correct horse battery", "operatorCode",
                        TestEnvironment.OPERATOR_SIGNUP_CODE + " "));
        for (Map<String, String> body : refused) {
            client.post().uri("/api/auth/signup")
                .cookie("XSRF-TOKEN", user.csrfToken()).header("X-XSRF-TOKEN", user.csrfToken())
                .contentType(MediaType.APPLICATION_JSON)
                .bodyValue(body)
                .exchange()
                .expectStatus().isForbidden()
                .expectBody()
                .jsonPath("$.error.code").isEqualTo("operator_code_required")
                .jsonPath("$.error.param").isEqualTo("operatorCode");
        }

        client.post().uri("/api/auth/signup")
            .cookie("XSRF-TOKEN", user.csrfToken()).header("X-XSRF-TOKEN", user.csrfToken())
            .contentType(MediaType.APPLICATION_JSON)
            .bodyValue(Map.of("email", email, "password", "correct horse battery", "operatorCode",
                    TestEnvironment.OPERATOR_SIGNUP_CODE))
            .exchange()
            .expectStatus().isCreated()
            .expectBody().jsonPath("$.operator").isEqualTo(true);
    }

    /**
     * An email the database takes for an operator's (its unique index folds case with its own {@code lower()}, which
     * in a Unicode locale turns the Kelvin sign into k) takes the code too: else it would lock the operator out.
     */
    @Test
    void aLookAlikeOfAnOperatorsEmailTakesTheCodeWhereTheDatabaseWouldConfuseThem() {
        DashboardUser user = DashboardUser.signUp(client);
        String lookAlike = TestEnvironment.UNCLAIMED_OPERATOR_EMAIL.replace('k', '\u212A');
        String folded = db.sql("select lower(:email) as folded").bind("email", lookAlike)
            .map((row, meta) -> row.get("folded", String.class)).one().block();
        boolean confused = TestEnvironment.UNCLAIMED_OPERATOR_EMAIL.equals(folded);

        client.post().uri("/api/auth/signup")
            .cookie("XSRF-TOKEN", user.csrfToken()).header("X-XSRF-TOKEN", user.csrfToken())
            .contentType(MediaType.APPLICATION_JSON)
            .bodyValue(Map.of("email", lookAlike, "password", "correct horse battery"))
            .exchange()
            .expectStatus().isEqualTo(confused ? 403 : 201)
            .expectBody().jsonPath(confused ? "$.error.code" : "$.operator")
            .isEqualTo(confused ? "operator_code_required" : false);
    }

    @Test
    void signUpExplainsWhatIsWrongWithTheForm() {
        DashboardUser user = DashboardUser.signUp(client);

        client.post().uri("/api/auth/signup")
            .cookie("XSRF-TOKEN", user.csrfToken()).header("X-XSRF-TOKEN", user.csrfToken())
            .contentType(MediaType.APPLICATION_JSON)
            .bodyValue(Map.of("email", "not-an-email", "password", "short"))
            .exchange()
            .expectStatus().isBadRequest()
            .expectBody()
            .jsonPath("$.error.type").isEqualTo("invalid_request_error")
            .jsonPath("$.error.message").value(message -> assertThat((String) message).contains("email")
                .contains("password"));
    }

    /** PostgreSQL's text cannot hold a NUL character, which JSON can: the insert failed, a 500. */
    @Test
    void aNulCharacterIsAFieldsErrorNotA500() {
        DashboardUser user = DashboardUser.signUp(client);

        client.post().uri("/api/auth/signup")
            .cookie("XSRF-TOKEN", user.csrfToken()).header("X-XSRF-TOKEN", user.csrfToken())
            .contentType(MediaType.APPLICATION_JSON)
            .bodyValue(Map.of("email", "nul@example.com", "password", "correct horse battery", "organization",
                    "A\u0000B"))
            .exchange()
            .expectStatus().isBadRequest()
            .expectBody()
            .jsonPath("$.error.param").isEqualTo("organization")
            .jsonPath("$.error.message").value(message -> assertThat((String) message).contains("NUL"));
        user.post("/api/keys", Map.of("name", "lap\u0000top"))
            .expectStatus().isBadRequest()
            .expectBody()
            .jsonPath("$.error.param").isEqualTo("name");
    }

    /** BCrypt reads at most 72 bytes, and Spring Security's encoder throws beyond them: that was a 500. */
    @Test
    void aPasswordLongerThanBcryptReadsIsAClear400() {
        DashboardUser user = DashboardUser.signUp(client);
        for (String password : new String[] { "a".repeat(73), "\uD83D\uDE00".repeat(19) }) {
            client.post().uri("/api/auth/signup")
                .cookie("XSRF-TOKEN", user.csrfToken()).header("X-XSRF-TOKEN", user.csrfToken())
                .contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("email", "long-" + password.length() + "@example.com", "password", password))
                .exchange()
                .expectStatus().isBadRequest()
                .expectBody()
                .jsonPath("$.error.param").isEqualTo("password")
                .jsonPath("$.error.message").value(message -> assertThat((String) message).contains("72"));
        }
    }

    @Test
    void theDashboardApiNeedsASession() {
        client.get().uri("/api/keys").exchange()
            .expectStatus().isUnauthorized()
            .expectHeader().contentType(MediaType.APPLICATION_JSON)
            .expectBody().jsonPath("$.error.code").isEqualTo("unauthenticated");
    }

    /**
     * Behind a proxy, sign-in attempts count by the address the proxy put in {@code X-Forwarded-For}: a client's own
     * {@code Forwarded} header, which nginx passes through, names no address of its choosing.
     */
    @Test
    void behindAProxyAClientsOwnForwardedHeaderDoesNotEscapeTheSignInLimit() {
        DashboardUser user = DashboardUser.signUp(client);
        try (SecondInstance behindProxy = SecondInstance.start(Map.of("server.forward-headers-strategy", "native",
                "tollgate.auth.attempts-per-minute", "3"))) {
            WebTestClient proxied = WebTestClient.bindToServer().baseUrl(behindProxy.baseUrl()).build();
            for (int attempt = 1; attempt <= 3; attempt++) {
                wrongPasswordVia(proxied, user, "203.0.113.7", "for=198.51.100." + attempt)
                    .expectStatus().isUnauthorized();
            }
            wrongPasswordVia(proxied, user, "203.0.113.7", "for=198.51.100.4")
                .expectStatus().isEqualTo(HttpStatus.TOO_MANY_REQUESTS)
                .expectHeader().exists("Retry-After")
                .expectBody().jsonPath("$.error.code").isEqualTo("rate_limit_exceeded");
            // Another address the proxy saw has attempts of its own.
            wrongPasswordVia(proxied, user, "203.0.113.8", "for=198.51.100.4").expectStatus().isUnauthorized();
        }
    }

    private static WebTestClient.ResponseSpec wrongPasswordVia(WebTestClient proxied, DashboardUser user,
            String forwardedFor, String forwarded) {
        return proxied.post().uri("/api/auth/login")
            .cookie("XSRF-TOKEN", user.csrfToken()).header("X-XSRF-TOKEN", user.csrfToken())
            .header("X-Forwarded-For", forwardedFor).header("Forwarded", forwarded)
            .contentType(MediaType.APPLICATION_JSON)
            .bodyValue(Map.of("email", user.email(), "password", "not the password"))
            .exchange();
    }

    private String loginBody(DashboardUser user, String email, String password) {
        return client.post().uri("/api/auth/login")
            .cookie("XSRF-TOKEN", user.csrfToken()).header("X-XSRF-TOKEN", user.csrfToken())
            .contentType(MediaType.APPLICATION_JSON)
            .bodyValue(Map.of("email", email, "password", password))
            .exchange()
            .expectStatus().isUnauthorized()
            .expectBody(String.class).returnResult().getResponseBody();
    }

}
