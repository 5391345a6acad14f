package dev.tollgate.testsupport;

import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;

import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseCookie;
import org.springframework.test.web.reactive.server.EntityExchangeResult;
import org.springframework.test.web.reactive.server.WebTestClient;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A browser-like user of the dashboard API in tests: it keeps the session and CSRF cookies and sends the CSRF
 * header on every state-changing call, as the real frontend does.
 */
public final class DashboardUser {

    private static final AtomicInteger COUNTER = new AtomicInteger();

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final WebTestClient client;
    private final String email;
    private final String password;
    private String csrfToken;
    private String session;
    private JsonNode me;

    private DashboardUser(WebTestClient client, String email, String password) {
        this.client = client;
        this.email = email;
        this.password = password;
    }

    /** Signs up a brand-new tenant with a unique email. */
    public static DashboardUser signUp(WebTestClient client) {
        return signUpAs(client, "user" + COUNTER.incrementAndGet() + "-" + UUID.randomUUID().toString().substring(0, 8)
                + "@example.com");
    }

    /** Signs up with the given email, or logs in when it is taken (e.g. the shared operator account). */
    public static DashboardUser signUpAs(WebTestClient client, String email) {
        DashboardUser user = new DashboardUser(client, email, "correct horse battery");
        user.fetchCsrf();
        EntityExchangeResult<byte[]> result = client.post()
            .uri("/api/auth/signup")
            .cookie("XSRF-TOKEN", user.csrfToken)
            .header("X-XSRF-TOKEN", user.csrfToken)
            .contentType(MediaType.APPLICATION_JSON)
            .bodyValue(email.equals(TestEnvironment.OPERATOR_EMAIL)
                    ? Map.of("email", email, "password", user.password, "organization", "Org of " + email,
                            "operatorCode", TestEnvironment.OPERATOR_SIGNUP_CODE)
                    : Map.of("email", email, "password", user.password, "organization", "Org of " + email))
            .exchange()
            .expectBody().returnResult();
        if (result.getStatus().value() == 409) {
            result = client.post()
                .uri("/api/auth/login")
                .cookie("XSRF-TOKEN", user.csrfToken)
                .header("X-XSRF-TOKEN", user.csrfToken)
                .contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("email", email, "password", user.password))
                .exchange()
                .expectStatus().isOk()
                .expectBody().returnResult();
        }
        else if (result.getStatus().value() != 201) {
            throw new AssertionError("Sign-up failed: " + result);
        }
        user.session = sessionCookie(result);
        user.me = JSON.readTree(result.getResponseBody());
        return user;
    }

    public String email() {
        return email;
    }

    public String password() {
        return password;
    }

    public UUID tenantId() {
        return UUID.fromString(me.path("tenant").path("id").stringValue());
    }

    public String session() {
        return session;
    }

    public String csrfToken() {
        return csrfToken;
    }

    /** Creates an API key and returns the key itself. */
    public String createKey(String name) {
        return createKeyJson(Map.of("name", name)).path("key").stringValue();
    }

    public JsonNode createKeyJson(Map<String, ?> body) {
        byte[] response = post("/api/keys", body).expectStatus().isCreated().expectBody().returnResult()
            .getResponseBody();
        return JSON.readTree(response);
    }

    public WebTestClient.ResponseSpec post(String path, Object body) {
        return client.post()
            .uri(path)
            .cookie("TOLLGATE_SESSION", session)
            .cookie("XSRF-TOKEN", csrfToken)
            .header("X-XSRF-TOKEN", csrfToken)
            .contentType(MediaType.APPLICATION_JSON)
            .bodyValue(body)
            .exchange();
    }

    public WebTestClient.ResponseSpec get(String path) {
        return client.get().uri(path).cookie("TOLLGATE_SESSION", session).exchange();
    }

    public JsonNode getJson(String path) {
        return JSON.readTree(get(path).expectStatus().isOk().expectBody().returnResult().getResponseBody());
    }

    public WebTestClient.ResponseSpec patch(String path, Object body) {
        return client.patch()
            .uri(path)
            .cookie("TOLLGATE_SESSION", session)
            .cookie("XSRF-TOKEN", csrfToken)
            .header("X-XSRF-TOKEN", csrfToken)
            .contentType(MediaType.APPLICATION_JSON)
            .bodyValue(body)
            .exchange();
    }

    public WebTestClient.ResponseSpec put(String path, Object body) {
        return client.put()
            .uri(path)
            .cookie("TOLLGATE_SESSION", session)
            .cookie("XSRF-TOKEN", csrfToken)
            .header("X-XSRF-TOKEN", csrfToken)
            .contentType(MediaType.APPLICATION_JSON)
            .bodyValue(body)
            .exchange();
    }

    public WebTestClient.ResponseSpec delete(String path) {
        return client.delete()
            .uri(path)
            .cookie("TOLLGATE_SESSION", session)
            .cookie("XSRF-TOKEN", csrfToken)
            .header("X-XSRF-TOKEN", csrfToken)
            .exchange();
    }

    private void fetchCsrf() {
        EntityExchangeResult<byte[]> result = client.get().uri("/api/auth/csrf").exchange()
            .expectStatus().isEqualTo(HttpStatus.OK)
            .expectBody().returnResult();
        ResponseCookie cookie = result.getResponseCookies().getFirst("XSRF-TOKEN");
        String token = JSON.readTree(result.getResponseBody()).path("token").stringValue();
        if (cookie == null || !cookie.getValue().equals(token)) {
            throw new AssertionError("GET /api/auth/csrf must set the XSRF-TOKEN cookie to the token it returns");
        }
        this.csrfToken = token;
    }

    static String sessionCookie(EntityExchangeResult<?> result) {
        ResponseCookie cookie = result.getResponseCookies().getFirst("TOLLGATE_SESSION");
        if (cookie == null || cookie.getValue().isEmpty()) {
            throw new AssertionError("Expected a TOLLGATE_SESSION cookie");
        }
        return cookie.getValue();
    }

}
