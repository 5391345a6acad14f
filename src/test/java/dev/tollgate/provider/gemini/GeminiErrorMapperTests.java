package dev.tollgate.provider.gemini;

import java.nio.charset.StandardCharsets;
import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.springframework.http.HttpHeaders;
import tools.jackson.databind.json.JsonMapper;

import dev.tollgate.provider.UpstreamException;
import dev.tollgate.testsupport.Fixtures;

import static org.assertj.core.api.Assertions.assertThat;

class GeminiErrorMapperTests {

    private final GeminiErrorMapper mapper = new GeminiErrorMapper(JsonMapper.builder().build(), "google");

    @Test
    void anInvalidApiKeyIsTollgatesCredentialsProblemNotTheClientsBadRequest() {
        UpstreamException error = decode(400, Fixtures.text("gemini/error-400-api-key.json"));

        assertThat(error.status().value()).isEqualTo(502);
        assertThat(error.code()).isEqualTo("upstream_auth_failed");
        assertThat(error.upstreamStatus()).isEqualTo(400);
        assertThat(error.getMessage()).doesNotContain("key1234");
    }

    @Test
    void aBadRequestIsTheClients400WithGeminisMessage() {
        UpstreamException error = decode(400, """
                {"error":{"code":400,"message":"* GenerateContentRequest.contents: contents is not specified\\n",
                 "status":"INVALID_ARGUMENT"}}""");

        assertThat(error.status().value()).isEqualTo(400);
        assertThat(error.type()).isEqualTo("invalid_request_error");
        assertThat(error.getMessage()).contains("contents is not specified");
    }

    @Test
    void anUnknownModelIsAGatewayError() {
        UpstreamException error = decode(404, Fixtures.text("gemini/error-404-model.json"));

        assertThat(error.status().value()).isEqualTo(502);
        assertThat(error.code()).isEqualTo("upstream_not_found");
        assertThat(error.getMessage()).contains("models/gemini-5.0-flash is not found");
    }

    @Test
    void quotaExhaustionIs429AndRetryable() {
        UpstreamException error = decode(429, Fixtures.text("gemini/error-429-quota.json"));

        assertThat(error.status().value()).isEqualTo(429);
        assertThat(error.retryable()).isTrue();
        assertThat(error.headers()).containsKey("Retry-After");
    }

    @Test
    void retryInfoSaysHowLongToWaitWhenNoHeaderDoes() {
        UpstreamException error = decode(429, """
                {"error":{"code":429,"message":"You exceeded your current quota.","status":"RESOURCE_EXHAUSTED",
                 "details":[{"@type":"type.googleapis.com/google.rpc.RetryInfo","retryDelay":"39s"}]}}""");

        assertThat(error.retryAfter()).isEqualTo(Duration.ofSeconds(39));
        assertThat(error.headers()).containsEntry("Retry-After", "39");
    }

    @Test
    void aFractionalRetryDelayIsToldTheClientRoundedUp() {
        UpstreamException error = decode(429, """
                {"error":{"code":429,"message":"You exceeded your current quota.","status":"RESOURCE_EXHAUSTED",
                 "details":[{"@type":"type.googleapis.com/google.rpc.RetryInfo","retryDelay":"1.5s"}]}}""");

        assertThat(error.retryAfter()).isEqualTo(Duration.ofMillis(1500));
        assertThat(error.headers()).containsEntry("Retry-After", "2");
    }

    @Test
    void serverErrorsAreRetryableGatewayErrorsAndOverloadIs503() {
        UpstreamException internal = decode(500, """
                {"error":{"code":500,"message":"An internal error has occurred.","status":"INTERNAL"}}""");
        UpstreamException unavailable = decode(503, """
                {"error":{"code":503,"message":"The model is overloaded.","status":"UNAVAILABLE"}}""");

        assertThat(internal.status().value()).isEqualTo(502);
        assertThat(internal.retryable()).isTrue();
        assertThat(unavailable.status().value()).isEqualTo(503);
        assertThat(unavailable.code()).isEqualTo("upstream_overloaded");
        assertThat(unavailable.retryable()).isTrue();
    }

    @Test
    void aFailedPreconditionIsTheOperatorsProblem() {
        UpstreamException error = decode(400, """
                {"error":{"code":400,"message":"User location is not supported for the API use.",
                 "status":"FAILED_PRECONDITION"}}""");

        assertThat(error.status().value()).isEqualTo(502);
        assertThat(error.getMessage()).contains("User location is not supported");
    }

    @Test
    void aBodyThatIsNotJsonKeepsItsStatus() {
        assertThat(decode(502, "<html>Bad Gateway</html>").status().value()).isEqualTo(502);
    }

    private UpstreamException decode(int status, String body) {
        return mapper.decode(status, new HttpHeaders(), body.getBytes(StandardCharsets.UTF_8));
    }

}
