package dev.tollgate.account;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * How often one client address may try to sign up or log in.
 *
 * @param attemptsPerMinute sign-ups and log-ins per minute from one address (an IPv6 address counts by its /64
 *     network), all at once at most; 0 turns the limit off
 */
@ConfigurationProperties("tollgate.auth")
public record SignInProperties(@DefaultValue("20") int attemptsPerMinute) {

    public SignInProperties {
        if (attemptsPerMinute < 0) {
            throw new IllegalArgumentException("tollgate.auth.attempts-per-minute must be 0 (no limit) or more");
        }
    }

}
