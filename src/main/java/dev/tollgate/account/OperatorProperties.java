package dev.tollgate.account;

import java.util.List;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Who runs this Tollgate: users whose email is listed here may use the operator API ({@code /api/operator/**}:
 * prices, markups, credit adjustments, cost and margin) in addition to their own tenant's dashboard.
 *
 * @param emails the operators' sign-in emails
 */
@ConfigurationProperties("tollgate.operator")
public record OperatorProperties(@DefaultValue List<String> emails) {

    /**
     * Whether a signed-up user's email is one of the operators': the same characters, ignoring the case of ASCII
     * letters only. Java's case folding would also turn the Kelvin sign (U+212A) into {@code k}, so that someone
     * signing up as {@code \u212Aim@example.com} (a distinct account to the database) would be taken for the operator
     * {@code kim@example.com}.
     */
    boolean isOperator(String email) {
        return emails.stream().anyMatch(operator -> sameIgnoringAsciiCase(operator.strip(), email));
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
