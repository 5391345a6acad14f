package dev.tollgate.metering;

import java.math.BigDecimal;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PricingPropertiesTests {

    @ParameterizedTest
    @CsvSource({ "0, 0", "0.05, 50000", "-1, -1000000", "100, 100000000", "0.000001, 1" })
    void theDefaultMarkupIsExactInPartsPerMillion(String markup, long ppm) {
        assertThat(new PricingProperties(new BigDecimal(markup)).defaultMarkupPpm()).isEqualTo(ppm);
    }

    /** Refused at startup, as the operator API refuses such a rule; it used to be cut or wrapped round silently. */
    @ParameterizedTest
    @ValueSource(strings = { "0.0500001", "100.000001", "9223372036854.775807", "1e30", "-1.5" })
    void aDefaultMarkupTheOperatorApiWouldRefuseStopsTheStart(String markup) {
        assertThatThrownBy(() -> new PricingProperties(new BigDecimal(markup)))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageStartingWith("tollgate.pricing.default-markup: ");
    }

}
