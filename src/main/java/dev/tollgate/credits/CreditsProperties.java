package dev.tollgate.credits;

import java.math.BigDecimal;
import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Prepaid credits.
 *
 * @param signupBonusUsd free credits for a new tenant
 * @param defaultMaxTokens the output cap a hold assumes when neither the request ({@code max_tokens}) nor the
 *     catalog (the model's maximum output) gives one
 * @param lease how much of a tenant's balance an instance takes from the database at a time
 */
@ConfigurationProperties("tollgate.credits")
public record CreditsProperties(@DefaultValue("0") BigDecimal signupBonusUsd,
        @DefaultValue("4096") int defaultMaxTokens, @DefaultValue Lease lease) {

    /**
     * @param sizeUsd the slice an instance asks for when it runs out (at least the hold at hand, at most half of
     *     what no instance holds yet, so that other instances are not starved)
     * @param ttl how long a lease lives without renewal; a crashed instance's leases are released after it
     * @param idleReturn an instance gives back a tenant's lease after this long without requests
     */
    public record Lease(@DefaultValue("1.00") BigDecimal sizeUsd, @DefaultValue("60s") Duration ttl,
            @DefaultValue("30s") Duration idleReturn) {
    }

}
