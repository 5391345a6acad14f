package dev.tollgate.provider.anthropic;

import java.nio.charset.StandardCharsets;
import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.springframework.http.HttpHeaders;
import tools.jackson.databind.json.JsonMapper;

import dev.tollgate.provider.UpstreamException;
import dev.tollgate.testsupport.Fixtures;

import static org.assertj.core.api.Assertions.assertThat;

class AnthropicErrorMapperTests {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final AnthropicErrorMapper mapper = new AnthropicErrorMapper(JSON, "anthropic");

    @Test
    void aBadRequestStaysABadRequestWithAnthropicsMessage() {
        UpstreamException error = decode(400, new HttpHeaders(), Fixtures.text("anthropic/error-400.json"));

        assertThat(error.status().value()).isEqualTo(400);
        assertThat(error.type()).isEqualTo("invalid_request_error");
        assertThat(error.getMessage()).contains("invalid_request_error: Bad request");
        assertThat(error.retryable()).isFalse();
    }

    @Test
    void aRejectedUpstreamKeyIsTollgatesProblemNotTheClients() {
        // Not a recording: the body Anthropic documents for HTTP 401.
        UpstreamException error = decode(401, new HttpHeaders(),
                "{\"type\":\"error\",\"error\":{\"type\":\"authentication_error\",\"message\":\"invalid x-api-key\"}}");

        assertThat(error.status().value()).isEqualTo(502);
        assertThat(error.code()).isEqualTo("upstream_auth_failed");
        assertThat(error.upstreamStatus()).isEqualTo(401);
    }

    @Test
    void aRateLimitKeepsItsRetryAfter() {
        HttpHeaders headers = new HttpHeaders();
        headers.set("retry-after", "7");

        UpstreamException error = decode(429, headers, Fixtures.text("anthropic/error-429.json"));

        assertThat(error.status().value()).isEqualTo(429);
        assertThat(error.retryAfter()).isEqualTo(Duration.ofSeconds(7));
        assertThat(error.headers()).containsEntry("Retry-After", "7");
        assertThat(error.getMessage()).contains("rate_limit_error: This request would exceed");
        assertThat(error.retryable()).isTrue();
    }

    @Test
    void overloadedIsServiceUnavailable() {
        UpstreamException error = decode(529, new HttpHeaders(), Fixtures.text("anthropic/error-529.json"));

        assertThat(error.status().value()).isEqualTo(503);
        assertThat(error.code()).isEqualTo("upstream_overloaded");
        assertThat(error.retryable()).isTrue();
    }

    @Test
    void aServerErrorIsABadGatewayWorthRetrying() {
        // Not a recording: the body Anthropic documents for HTTP 500.
        UpstreamException error = decode(500, new HttpHeaders(),
                "{\"type\":\"error\",\"error\":{\"type\":\"api_error\",\"message\":\"Internal server error\"}}");

        assertThat(error.status().value()).isEqualTo(502);
        assertThat(error.retryable()).isTrue();
    }

    @Test
    void aBodyThatIsNotJsonIsQuoted() {
        UpstreamException error = decode(502, new HttpHeaders(), "<html>Bad gateway</html>");

        assertThat(error.getMessage()).contains("<html>Bad gateway</html>");
    }

    @Test
    void aStreamErrorEventTakesTheStatusOfItsType() {
        UpstreamException error = mapper.decodeEvent(JSON.readTree(
                "{\"type\": \"error\", \"error\": {\"type\": \"overloaded_error\", \"message\": \"Overloaded\"}}"));

        assertThat(error.status().value()).isEqualTo(503);
        assertThat(AnthropicErrorMapper.statusOf("rate_limit_error")).isEqualTo(429);
        assertThat(AnthropicErrorMapper.statusOf("something_new")).isEqualTo(500);
    }

    private UpstreamException decode(int status, HttpHeaders headers, String body) {
        return mapper.decode(status, headers, body.getBytes(StandardCharsets.UTF_8));
    }

}
