package dev.tollgate.account;

import java.util.List;
import java.util.Locale;

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

    boolean isOperator(String email) {
        return emails.stream().anyMatch(operator -> operator.trim().toLowerCase(Locale.ROOT)
            .equals(email.trim().toLowerCase(Locale.ROOT)));
    }

}
