package dev.tollgate.billing;

import java.math.BigDecimal;
import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Stripe. Without a secret key Tollgate runs without card payments: top-ups answer 503 {@code billing_not_configured}
 * and credits come only from the operator.
 *
 * @param secretKey the API secret key ({@code sk_live_…}, {@code sk_test_…} or a restricted {@code rk_…}); blank
 *     turns billing off
 * @param webhookSecret the webhook endpoint's signing secret ({@code whsec_…})
 * @param apiBase Stripe's API root; set only to point tests at a fake
 * @param webhookTolerance how old a signed webhook may be before it is refused as a replay
 * @param connectTimeout connect timeout of calls to Stripe
 * @param readTimeout read timeout of calls to Stripe
 * @param maxNetworkRetries how often stripe-java itself retries a call that failed on the network (with the same
 *     idempotency key)
 * @param checkout the top-up limits, the purchase fee and where Checkout sends the payer back to
 * @param autoTopup how often balances are checked for automatic top-up
 * @param meter usage reporting for postpaid tenants
 * @param plansRefreshInterval how often each instance re-reads which tenants are postpaid
 */
@ConfigurationProperties("tollgate.stripe")
public record StripeProperties(@DefaultValue("") String secretKey, @DefaultValue("") String webhookSecret,
        @DefaultValue("https://api.stripe.com") String apiBase, @DefaultValue("300s") Duration webhookTolerance,
        @DefaultValue("10s") Duration connectTimeout, @DefaultValue("30s") Duration readTimeout,
        @DefaultValue("2") int maxNetworkRetries, @DefaultValue Checkout checkout, @DefaultValue AutoTopup autoTopup,
        @DefaultValue Meter meter, @DefaultValue("10s") Duration plansRefreshInterval) {

    boolean enabled() {
        return !secretKey.isBlank();
    }

    /**
     * @param minUsd the smallest top-up
     * @param maxUsd the largest top-up
     * @param feePercent the purchase fee's percentage of the amount (e.g. {@code 2.9})
     * @param feeFixedUsd the purchase fee's fixed part (e.g. {@code 0.30})
     * @param successUrl where Checkout returns after paying; {@code {CHECKOUT_SESSION_ID}} is replaced by Stripe
     * @param cancelUrl where Checkout returns when the payer goes back
     */
    public record Checkout(@DefaultValue("5") BigDecimal minUsd, @DefaultValue("1000") BigDecimal maxUsd,
            @DefaultValue("0") BigDecimal feePercent, @DefaultValue("0") BigDecimal feeFixedUsd,
            @DefaultValue("http://localhost:8080/credits?checkout=success&session_id={CHECKOUT_SESSION_ID}")
            String successUrl,
            @DefaultValue("http://localhost:8080/credits?checkout=cancel") String cancelUrl) {
    }

    /**
     * @param checkInterval how often balances are compared with the tenants' thresholds
     * @param retryBackoff the first wait before a charge whose outcome is unknown is tried again (doubling, at most
     *     an hour)
     */
    public record AutoTopup(@DefaultValue("5s") Duration checkInterval, @DefaultValue("30s") Duration retryBackoff) {
    }

    /**
     * @param eventName the event name of the Stripe meter (its value is in micro-dollars, summed)
     * @param reportInterval how often usage is grouped and sent
     * @param batchSize the meter events claimed and sent at a time; a round sends batches while it finds full ones (at
     *     most 100)
     * @param retryBackoff the first wait after a failed send (doubling, at most {@code maxBackoff})
     * @param maxBackoff the longest wait between two tries
     */
    public record Meter(@DefaultValue("tollgate_usage_micros") String eventName,
            @DefaultValue("10s") Duration reportInterval, @DefaultValue("100") int batchSize,
            @DefaultValue("10s") Duration retryBackoff, @DefaultValue("1h") Duration maxBackoff) {
    }

}
