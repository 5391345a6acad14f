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
        assertThat(count("1000000000", 7)).isEqualTo(TokenCounts.MAX);
        assertThat(count("2.9", 7)).isEqualTo(2);
        assertThat(count("-3", 7)).isZero();
        assertThat(count("null", 7)).isEqualTo(7);
        assertThat(count("\"12\"", 7)).isEqualTo(7);
        assertThat(TokenCounts.of(JSON.readTree("{}").path("missing"), -1, "p")).isEqualTo(-1);
    }

    @ParameterizedTest
    @ValueSource(strings = {"1000000001", "9223372036854775807", "9223372036854775808", "1e19", "1e400"})
    void aNumberAboveTheCeilingIsAMalformedAnswer(String value) {
        assertThatThrownBy(() -> count(value, 0))
            .isInstanceOfSatisfying(UpstreamException.class, error -> {
                assertThat(error.status().value()).isEqualTo(502);
                assertThat(error.code()).isEqualTo("upstream_malformed_response");
                assertThat(error.getMessage()).contains("Provider p").contains("token count above 1000000000");
            });
    }

    @Test
    void aCountAlreadyReadIsCheckedAlike() {
        assertThat(TokenCounts.checked(-4, "p")).isZero();
        assertThat(TokenCounts.checked(TokenCounts.MAX, "p")).isEqualTo(TokenCounts.MAX);
        assertThatThrownBy(() -> TokenCounts.checked(Long.MAX_VALUE, "p")).isInstanceOf(UpstreamException.class);
    }

    @Test
    void aCountReportedInPartsIsHeldToTheCeilingAsAWhole() {
        assertThat(TokenCounts.total("p", 600_000_000, 400_000_000)).isEqualTo(TokenCounts.MAX);
        assertThat(TokenCounts.total("p", 5, -2, 3)).isEqualTo(8);
        assertThatThrownBy(() -> TokenCounts.total("p", 600_000_000, 400_000_001))
            .isInstanceOfSatisfying(UpstreamException.class,
                    error -> assertThat(error.code()).isEqualTo("upstream_malformed_response"));
        assertThatThrownBy(() -> TokenCounts.total("p", TokenCounts.MAX, Long.MAX_VALUE))
            .isInstanceOf(UpstreamException.class);
    }

    private static long count(String json, long otherwise) {
        return TokenCounts.of(JSON.readTree(json), otherwise, "p");
    }

}
