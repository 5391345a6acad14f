package dev.tollgate.common;

import java.time.OffsetDateTime;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DateParamsTests {

    @Test
    void anIsoDateIsMidnightUtcAndAnInstantIsKeptWithItsOffset() {
        assertThat(DateParams.instant("from", "2026-11-27")).isEqualTo(OffsetDateTime.parse("2026-11-27T00:00Z"));
        assertThat(DateParams.instant("to", "0001-01-01T00:00Z")).isEqualTo(OffsetDateTime.parse("0001-01-01T00:00Z"));
        assertThat(DateParams.instant("to", "2026-11-27T10:00+02:00"))
            .isEqualTo(OffsetDateTime.parse("2026-11-27T10:00+02:00"));
    }

    /** Each parses as ISO; each was a 500 further on (the window's arithmetic, PostgreSQL, the shift to UTC). */
    @ParameterizedTest
    @ValueSource(strings = { "-999999999-01-01T00:00Z", "0000-12-31T23:59Z", "+10000-01-01T00:00Z",
        "-999999999-01-01T00:00+18:00", "+999999999-12-31T23:59-18:00", "2026-13-01", "yesterday" })
    void anythingElseIsA400NamingTheParameter(String text) {
        assertThatThrownBy(() -> DateParams.instant("to", text))
            .isInstanceOfSatisfying(ApiException.class, error -> {
                assertThat(error.status().value()).isEqualTo(400);
                assertThat(error.getMessage()).startsWith("to must be");
            });
    }

}
