package dev.tollgate.guardrails;

import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;

class PiiScannerTests {

    private final PiiScanner scanner = new PiiScanner();

    @Test
    void eachKindIsReplacedByItsPlaceholderAndCounted() {
        PiiScanner.Redacted redacted = scanner.redact("""
                Write to ada.lovelace+notes@analytical-engines.co.uk or call +44 20 7946 0018 (office) or \
                (415) 555-0100. Card 4111 1111 1111 1111, IBAN GB82 WEST 1234 5698 7654 32, SSN 078-05-1120.""");

        assertThat(redacted.text()).isEqualTo("""
                Write to [EMAIL] or call [PHONE] (office) or [PHONE]. Card [CARD_NUMBER], IBAN [IBAN], SSN [SSN].""");
        assertThat(redacted.counts()).isEqualTo(Map.of(PiiKind.EMAIL, 1, PiiKind.PHONE, 2, PiiKind.CARD, 1,
                PiiKind.IBAN, 1, PiiKind.SSN, 1));
        assertThat(redacted.total()).isEqualTo(6);
    }

    @ParameterizedTest
    @ValueSource(strings = {"ada@example.com", "a.b-c_d%e+f@sub.example-domain.io", "x@y.museum"})
    void emailAddresses(String email) {
        assertThat(scanner.redact("mail " + email + ", thanks").text()).isEqualTo("mail [EMAIL], thanks");
    }

    @ParameterizedTest
    @ValueSource(strings = {"4111111111111111", "4111-1111-1111-1111", "5500 0000 0000 0004", "378282246310005",
        "6011 1111 1111 1117", "4111.1111.1111.1111"})
    void cardNumbersThatPassTheLuhnCheck(String card) {
        assertThat(scanner.redact("pay with " + card + " now").text()).isEqualTo("pay with [CARD_NUMBER] now");
    }

    @ParameterizedTest
    @ValueSource(strings = {"DE89 3704 0044 0532 0130 00", "DE89370400440532013000", "FR14 2004 1010 0505 0001 3M02 606",
        "NL91ABNA0417164300", "de89 3704 0044 0532 0130 00", "DE89-3704-0044-0532-0130-00"})
    void ibansThatPassTheirCheckDigits(String iban) {
        assertThat(scanner.redact("send it to " + iban + " please").text()).isEqualTo("send it to [IBAN] please");
    }

    @Test
    void anIbansLastGroupDoesNotSwallowTheWordAfterIt() {
        assertThat(scanner.redact("DE89 3704 0044 0532 0130 00 AND more").text()).isEqualTo("[IBAN] AND more");
    }

    @ParameterizedTest
    @ValueSource(strings = {"+1 415 555 0100", "+44 (0)20 7946 0018", "+33 6 12 34 56 78", "+4915112345678",
        "415-555-0100", "415.555.0100", "(415) 555-0100", "1-800-555-0100", "1 (415) 555-0100", "030 1234567", "06 12 34 56 78", "020-7946-0018"})
    void phoneNumbers(String phone) {
        assertThat(scanner.redact("ring " + phone + " today").text()).isEqualTo("ring [PHONE] today");
    }

    @ParameterizedTest
    @ValueSource(strings = {
        // Numbers with a shape of their own, or checksums that fail.
        "Order 4111111111111112 shipped.", "IBAN DE89 3704 0044 0532 0130 01 is mistyped.",
        "On 2024-01-15 at 10:30:00 we met.", "Version 1.22.3 and 10.0.19045.", "It costs $1,234,567.89.",
        "Pi is 3.14159265358979.", "id 550e8400-e29b-41d4-a716-446655440000", "SSN-like 000-12-3456 or 123-00-4567",
        "call me @ noon", "x = 12 * 34 + 5678", "The year 1984 and 2001.", "ISBN 978-3-16-148410-0",
        "coordinates 48.8584, 2.2945", "epoch ms 1765000000007", "snowflake 1175928471207948288",
        "order 9999999999999995 and 0000000000000000"})
    void textWithoutPersonalDataIsLeftAlone(String text) {
        PiiScanner.Redacted redacted = scanner.redact(text);

        assertThat(redacted.text()).isEqualTo(text);
        assertThat(redacted.total()).isZero();
    }

    @Test
    void anEmailsDigitsAreNotAlsoAPhoneNumber() {
        assertThat(scanner.find("user4155550100@example.com")).singleElement()
            .extracting(PiiScanner.Finding::kind).isEqualTo(PiiKind.EMAIL);
    }

    @Test
    void checksums() {
        assertThat(PiiScanner.luhn("79927398713", 0, 11)).isTrue();
        assertThat(PiiScanner.luhn("79927398710", 0, 11)).isFalse();
        assertThat(PiiScanner.ibanChecks("GB82WEST12345698765432", 0, 22)).isTrue();
        assertThat(PiiScanner.ibanChecks("GB82WEST12345698765433", 0, 22)).isFalse();
    }

    @Test
    void aDomainOfThousandsOfLabelsDoesNotOverflowASmallStack() throws InterruptedException {
        String labels = "x@" + "a.".repeat(5_000) + "com and ada@example.com";
        java.util.concurrent.atomic.AtomicReference<Object> outcome = new java.util.concurrent.atomic.AtomicReference<>();
        Thread small = new Thread(null, () -> {
            try {
                outcome.set(scanner.redact(labels).counts());
            }
            catch (Throwable ex) {
                outcome.set(ex);
            }
        }, "small-stack", 256 * 1024);
        small.start();
        small.join();

        assertThat(outcome.get()).isEqualTo(Map.of(PiiKind.EMAIL, 1));
    }

    @Test
    void aLongTextIsScannedInLinearTime() {
        // Patterns that backtrack badly would take minutes here; a bound the test can fail on without timing it:
        // the result must be right for a text made of near misses.
        String nearMisses = "a.b.c.d@ 123-45- +1 ( 0 DE89 ".repeat(20_000);

        assertThat(scanner.find(nearMisses)).isEmpty();
    }

}
