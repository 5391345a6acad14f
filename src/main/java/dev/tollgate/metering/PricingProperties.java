package dev.tollgate.metering;

import java.math.BigDecimal;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * @param defaultMarkup the markup on provider cost when no markup rule applies, e.g. {@code 0.05} for 5 %
 */
@ConfigurationProperties("tollgate.pricing")
public record PricingProperties(@DefaultValue("0") BigDecimal defaultMarkup) {

    /** @throws IllegalArgumentException for a markup the operator API would refuse (startup fails, naming it) */
    public PricingProperties {
        MarkupRules.ppm(defaultMarkup,
                message -> new IllegalArgumentException("tollgate.pricing.default-markup: " + message));
    }

    long defaultMarkupPpm() {
        // Checked above: exact, where longValue() cut a seventh decimal off and wrapped a large markup round.
        return MarkupRules.ppm(defaultMarkup, IllegalArgumentException::new);
    }

}
