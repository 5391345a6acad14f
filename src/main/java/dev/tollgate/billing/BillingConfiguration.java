package dev.tollgate.billing;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

@Configuration(proxyBeanMethods = false)
class BillingConfiguration {

    /** Checked at startup: a fee or limit that is not whole cents stops the application with the property's name. */
    @Bean
    TopUpPricing topUpPricing(StripeProperties properties) {
        return new TopUpPricing(properties.checkout());
    }

}
