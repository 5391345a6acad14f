package dev.tollgate.common;

import java.math.BigDecimal;
import java.util.OptionalLong;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;

class MoneyExactlyTests {

    @ParameterizedTest
    @CsvSource({ "0, 0", "0.05, 50000", "5.000000000, 5000000", "1E+3, 1000000000", "-1.5, -1500000",
        "123456789012.345678, 123456789012345678" })
    void aValueWithSixDecimalsAtMostIsExact(String value, long micros) {
        assertThat(Money.exactly(new BigDecimal(value), 6)).hasValue(micros);
    }

    @ParameterizedTest
    @ValueSource(strings = { "0.0000001", "1234567890123.456789", "9223372036854.775807" })
    void aFinerOrLongerValueIsNot(String value) {
        assertThat(Money.exactly(new BigDecimal(value), 6)).isEmpty();
    }

    /**
     * Refused from their digits alone: rescaling either first builds a power of ten with a hundred million digits.
     * The timeout is a guard against that regression (minutes), not a measure; the answer takes microseconds.
     */
    @Test
    @Timeout(10)
    void valuesWithAHugeExponentAreRefusedWithoutBeingRescaled() {
        for (String value : new String[] { "1e-100000000", "1e100000000", "-1e100000000", "1e2147483647" }) {
            assertThat(Money.exactly(new BigDecimal(value), 6)).as(value).isEqualTo(OptionalLong.empty());
            assertThat(Money.exactly(new BigDecimal(value), 2)).as(value).isEqualTo(OptionalLong.empty());
        }
    }

}
