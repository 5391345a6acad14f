package dev.tollgate.deploy;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.http.MediaType;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.test.web.reactive.server.WebTestClient;

import dev.tollgate.testsupport.DashboardUser;
import dev.tollgate.testsupport.FakeReply;
import dev.tollgate.testsupport.FakeUpstream;
import dev.tollgate.testsupport.Fixtures;
import dev.tollgate.testsupport.IntegrationTest;
import dev.tollgate.testsupport.RequestLog;
import dev.tollgate.testsupport.TestEnvironment;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * With the default logging configuration, no tenant key, upstream key, password, prompt or completion reaches the
 * logs: a run of successful, streamed, failing and rejected calls carrying canary values leaves none of them in the
 * captured console output.
 */
@IntegrationTest
@ExtendWith(OutputCaptureExtension.class)
class LogSecrecyIntegrationTests {

    @Autowired
    WebTestClient client;

    @Autowired
    DatabaseClient db;

    final FakeUpstream upstream = FakeUpstream.shared();

    final String promptCanary = "canary-prompt-" + UUID.randomUUID();

    final String completionCanary = "canary-completion-" + UUID.randomUUID();

    final String passwordCanary = "canary-password-" + UUID.randomUUID();

    // Well-formed (sk-tg-v1- and 64 hex digits) but unknown.
    final String unknownKeyCanary = "sk-tg-v1-" + UUID.randomUUID().toString().replace("-", "")
            + UUID.randomUUID().toString().replace("-", "");

    DashboardUser user;

    String key;

    @BeforeEach
    void setUp() {
        upstream.reset();
        user = DashboardUser.signUp(client);
        key = user.createKey("canary");
    }

    @Test
    void noKeyPasswordPromptOrCompletionIsLoggedByDefault(CapturedOutput output) {
        String completion = Fixtures.text("openai/chat-completion.json").replace("\"six\"", "\"" + completionCanary
                + "\"");
        String stream = Fixtures.text("openai/stream-text-usage.sse").replace("\"{\\\"\"", "\"" + completionCanary
                + "\"");
        assertThat(stream).contains(completionCanary);
        upstream.enqueue(FakeReply.json(200, completion), FakeReply.sse(stream), FakeReply.sse(stream)
            .droppingAfter(2), FakeReply.json(400, "{\"error\":{\"message\":\"Cannot answer '" + promptCanary
                    + "'\",\"type\":\"invalid_request_error\",\"code\":null}}"),
                FakeReply.json(500, "{\"error\":{\"message\":\"upstream broke on " + promptCanary + "\"}}"),
                // The 500 is retried once before it reaches the client.
                FakeReply.json(500, "{\"error\":{\"message\":\"upstream broke on " + promptCanary + "\"}}"));

        String whole = generationId(chat(key, request(false)).expectStatus().isOk());
        String streamed = generationId(chat(key, request(true)).expectStatus().isOk());
        String dropped = generationId(chat(key, request(true)).expectStatus().isOk());
        chat(key, request(false)).expectStatus().is4xxClientError();
        chat(key, request(false)).expectStatus().is5xxServerError();
        chat(unknownKeyCanary, request(false)).expectStatus().isUnauthorized();
        client.post().uri("/v1/chat/completions").header("Authorization", "Bearer " + key)
            .contentType(MediaType.APPLICATION_JSON)
            .bodyValue("{\"model\":\"openai/gpt-4o-mini\",\"messages\":[{\"role\":\"user\",\"content\":\""
                    + promptCanary + "\"")
            .exchange().expectStatus().isBadRequest();
        user.post("/api/auth/login", Map.of("email", user.email(), "password", passwordCanary))
            .expectStatus().isUnauthorized();
        RequestLog requestLog = new RequestLog(db);
        List.of(whole, streamed, dropped).forEach(requestLog::row);
        // Proves the capture sees what the application logs, so that an empty scan means something.
        LoggerFactory.getLogger("dev.tollgate").warn("log capture check {}", whole);

        assertThat(output.getAll()).contains("log capture check " + whole);

        Map<String, String> secrets = Map.of("tenant key", key.substring("sk-tg-v1-".length()),
                "unknown key", unknownKeyCanary, "upstream key", TestEnvironment.OPENAI_UPSTREAM_KEY,
                "wrong password", passwordCanary, "password", user.password(), "prompt", promptCanary,
                "completion", completionCanary);
        Map<String, String> leaks = new TreeMap<>();
        secrets.forEach((what, secret) -> output.getAll().lines().filter(line -> line.contains(secret)).findFirst()
            .ifPresent(line -> leaks.put(what, line)));
        assertThat(leaks).as("log lines that carry a secret, prompt or completion").isEmpty();
    }

    private WebTestClient.ResponseSpec chat(String apiKey, Map<String, Object> body) {
        return client.post().uri("/v1/chat/completions").header("Authorization", "Bearer " + apiKey)
            .contentType(MediaType.APPLICATION_JSON).bodyValue(body).exchange();
    }

    private Map<String, Object> request(boolean stream) {
        return Map.of("model", "openai/gpt-4o-mini", "stream", stream,
                "messages", List.of(Map.of("role", "user", "content", promptCanary)));
    }

    private static String generationId(WebTestClient.ResponseSpec response) {
        return response.expectBody().returnResult().getResponseHeaders().getFirst("x-tollgate-generation-id");
    }

}
