package dev.tollgate.account;

import java.util.List;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class OperatorPropertiesTests {

    private final OperatorProperties operators = new OperatorProperties(List.of(" Kim@Example.com ", "ops@example.com"),
            "s3cret code");

    @Test
    void listedEmailsAreOperatorsWhateverTheirAsciiCase() {
        assertThat(operators.isOperator("kim@example.com")).isTrue();
        assertThat(operators.isOperator("KIM@EXAMPLE.COM")).isTrue();
        assertThat(operators.isOperator("ops@example.com")).isTrue();
        assertThat(operators.isOperator("kim@example.co")).isFalse();
        assertThat(operators.isOperator("someone@example.com")).isFalse();
    }

    @Test
    void anEmailThatOnlyFoldsIntoAnOperatorsIsNotOne() {
        // The Kelvin sign lower-cases to an ASCII k in Java; the database keeps it as a different address.
        assertThat(operators.isOperator("\u212Aim@example.com")).isFalse();
        assertThat(operators.isOperator("kim@example.com\u0001")).isFalse();
        assertThat(operators.isOperator("k\u0131m@example.com")).isFalse();
    }

    @Test
    void anOperatorAccountTakesTheConfiguredCode() {
        assertThat(operators.acceptsSignupCode("s3cret code")).isTrue();
        assertThat(operators.acceptsSignupCode("s3cret cod")).isFalse();
        assertThat(operators.acceptsSignupCode("S3CRET CODE")).isFalse();
        assertThat(operators.acceptsSignupCode(null)).isFalse();
    }

    @Test
    void withoutAConfiguredCodeNoOperatorAccountCanBeCreated() {
        for (String none : new String[] { null, "", "  " }) {
            OperatorProperties unset = new OperatorProperties(List.of("kim@example.com"), none);
            assertThat(unset.signupCodeConfigured()).isFalse();
            assertThat(unset.acceptsSignupCode(none)).isFalse();
            assertThat(unset.acceptsSignupCode("anything")).isFalse();
        }
    }

}
