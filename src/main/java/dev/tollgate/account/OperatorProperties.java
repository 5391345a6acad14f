package dev.tollgate.account;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.List;

import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Who runs this Tollgate: users whose email is listed here may use the operator API ({@code /api/operator/**}:
 * prices, markups, credit adjustments, cost and margin) in addition to their own tenant's dashboard.
 *
 * <p>Nobody verifies an email at sign-up, so a listed email's account can be created only with the operator code:
 * otherwise whoever signed up with an operator's email before the operator did would run this Tollgate. Which
 * sign-ups take the code is for the database to say ({@link AccountService#sameEmailAsAny}): an email it takes for an
 * operator's (and so would refuse to the operator later) takes the code, even where {@link #isOperator} would not grant
 * it operator rights.
 *
 * @param emails the operators' sign-in emails
 * @param signupCode the secret that creating a listed email's account takes; none: such accounts cannot be created
 */
@ConfigurationProperties("tollgate.operator")
public record OperatorProperties(@DefaultValue List<String> emails, @Nullable String signupCode) {

    /**
     * Whether a signed-up user's email is one of the operators': the same characters, ignoring the case of ASCII
     * letters only. Java's case folding would also turn the Kelvin sign (U+212A) into {@code k}, so that someone
     * signing up as {@code \u212Aim@example.com} (a distinct account to the database) would be taken for the operator
     * {@code kim@example.com}.
     */
    boolean isOperator(String email) {
        return addresses().stream().anyMatch(operator -> sameIgnoringAsciiCase(operator, email));
    }

    /** The listed emails, as configured but for surrounding spaces. */
    List<String> addresses() {
        return emails.stream().map(String::strip).toList();
    }

    /** Whether an operator account may be created with this code (compared in constant time). */
    boolean acceptsSignupCode(@Nullable String code) {
        return signupCode != null && !signupCode.isBlank() && code != null && MessageDigest.isEqual(
                signupCode.getBytes(StandardCharsets.UTF_8), code.getBytes(StandardCharsets.UTF_8));
    }

    boolean signupCodeConfigured() {
        return signupCode != null && !signupCode.isBlank();
    }

    private static boolean sameIgnoringAsciiCase(String a, String b) {
        if (a.length() != b.length()) {
            return false;
        }
        for (int i = 0; i < a.length(); i++) {
            if (asciiLower(a.charAt(i)) != asciiLower(b.charAt(i))) {
                return false;
            }
        }
        return true;
    }

    private static char asciiLower(char c) {
        return c >= 'A' && c <= 'Z' ? (char) (c + ('a' - 'A')) : c;
    }

}
