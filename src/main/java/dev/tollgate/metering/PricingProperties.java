package dev.tollgate.metering;

import java.math.BigDecimal;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * @param defaultMarkup the markup on provider cost when no markup rule applies, e.g. {@code 0.05} for 5 %
 */
@ConfigurationProperties("tollgate.pricing")
public record PricingProperties(@DefaultValue("0") BigDecimal defaultMarkup) {

    long defaultMarkupPpm() {
        return defaultMarkup.movePointRight(6).longValue();
    }

}
