package dev.tollgate.provider;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TokenCountsTests {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    @Test
    void aNumberIsAWholeCountAndAnythingElseTheFallback() {
        assertThat(count("42", 7)).isEqualTo(42);
        assertThat(count("9223372036854775807", 7)).isEqualTo(Long.MAX_VALUE);
        assertThat(count("2.9", 7)).isEqualTo(2);
        assertThat(count("-3", 7)).isZero();
        assertThat(count("null", 7)).isEqualTo(7);
        assertThat(count("\"12\"", 7)).isEqualTo(7);
        assertThat(TokenCounts.of(JSON.readTree("{}").path("missing"), -1, "p")).isEqualTo(-1);
    }

    @ParameterizedTest
    @ValueSource(strings = {"9223372036854775808", "-99999999999999999999", "1e19", "1e400"})
    void aNumberBeyondALongIsAMalformedAnswer(String value) {
        assertThatThrownBy(() -> count(value, 0))
            .isInstanceOfSatisfying(UpstreamException.class, error -> {
                assertThat(error.status().value()).isEqualTo(502);
                assertThat(error.code()).isEqualTo("upstream_malformed_response");
                assertThat(error.getMessage()).contains("Provider p").contains("token count beyond 64 bits");
            });
    }

    private static long count(String json, long otherwise) {
        return TokenCounts.of(JSON.readTree(json), otherwise, "p");
    }

}
