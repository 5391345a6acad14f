package dev.tollgate.guardrails;

import java.util.Collections;
import java.util.List;

import org.junit.jupiter.api.Test;

import dev.tollgate.common.ApiException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class GuardrailPolicyTests {

    @Test
    void termsMatchWholeWordsInAnyCase() {
        GuardrailPolicy policy = GuardrailPolicy.of(PiiMode.OFF, List.of("Project Falcon", "ACME"));

        assertThat(policy.blocks("what is project   falcon?")).isTrue();
        assertThat(policy.blocks("Tell me about PROJECT\nFALCON")).isTrue();
        assertThat(policy.blocks("Project\u00A0Falcon, with a no-break space")).isTrue();
        assertThat(policy.blocks("acme's results")).isTrue();
        assertThat(policy.blocks("acmes and falcons")).isFalse();
        assertThat(policy.blocks("ACMECorp")).isFalse();
        assertThat(policy.blocks("nothing to see")).isFalse();
    }

    @Test
    void termsWithRegexCharactersAreTakenLiterally() {
        GuardrailPolicy policy = GuardrailPolicy.of(PiiMode.OFF, List.of("C++ (legacy)", "a.b"));

        assertThat(policy.blocks("we port C++ (legacy) code")).isTrue();
        assertThat(policy.blocks("axb")).isFalse();
        assertThat(policy.blocks("a.b")).isTrue();
    }

    @Test
    void termsAreTrimmedAndRepeatsDropped() {
        GuardrailPolicy policy = GuardrailPolicy.of(PiiMode.REDACT, List.of(" secret ", "SECRET", "", "  ", "other"));

        assertThat(policy.blockedTerms()).containsExactly("secret", "other");
        assertThat(policy.active()).isTrue();
    }

    @Test
    void aPolicyWithNothingInItIsNone() {
        assertThat(GuardrailPolicy.of(PiiMode.OFF, List.of(" "))).isSameAs(GuardrailPolicy.NONE);
        assertThat(GuardrailPolicy.NONE.active()).isFalse();
        assertThat(GuardrailPolicy.NONE.blocks("anything")).isFalse();
    }

    @Test
    void tooManyOrTooLongTermsAreRefused() {
        List<String> many = new java.util.ArrayList<>();
        for (int i = 0; i <= GuardrailPolicy.MAX_TERMS; i++) {
            many.add("term" + i);
        }
        assertThatThrownBy(() -> GuardrailPolicy.of(PiiMode.OFF, many)).isInstanceOf(ApiException.class)
            .hasMessageContaining("At most 500");
        assertThatThrownBy(() -> GuardrailPolicy.of(PiiMode.OFF,
                List.of(String.join("", Collections.nCopies(GuardrailPolicy.MAX_TERM_LENGTH + 1, "x")))))
            .isInstanceOf(ApiException.class)
            .hasMessageContaining("at most 200 characters");
    }

}
