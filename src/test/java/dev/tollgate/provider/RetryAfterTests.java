package dev.tollgate.provider;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;

import org.junit.jupiter.api.Test;
import org.springframework.http.HttpHeaders;

import static org.assertj.core.api.Assertions.assertThat;

class RetryAfterTests {

    private static final Clock NOW = Clock.fixed(Instant.parse("2026-12-07T17:00:00Z"), ZoneOffset.UTC);

    @Test
    void openAisMillisecondsComeFirstAndAreRoundedUp() {
        assertThat(read("retry-after-ms", "1500.2", "Retry-After", "9")).isEqualTo(Duration.ofMillis(1501));
        assertThat(read("retry-after-ms", "soon", "Retry-After", "9")).isEqualTo(Duration.ofSeconds(9));
    }

    @Test
    void secondsMayBeDecimal() {
        assertThat(read("Retry-After", "30")).isEqualTo(Duration.ofSeconds(30));
        assertThat(read("Retry-After", " 1.5 ")).isEqualTo(Duration.ofMillis(1500));
    }

    @Test
    void anHttpDateIsTheWaitUntilThen() {
        assertThat(read("Retry-After", "Mon, 07 Dec 2026 17:00:42 GMT")).isEqualTo(Duration.ofSeconds(42));
        assertThat(read("Retry-After", "Mon, 07 Dec 2026 16:59:00 GMT")).as("a date past").isEqualTo(Duration.ZERO);
    }

    @Test
    void aWaitBeyondADayIsReadAsADayAndNonsenseAsNone() {
        assertThat(read("Retry-After", "99999999999999999999")).isEqualTo(RetryAfter.LONGEST);
        assertThat(read("retry-after-ms", "1e999999999")).isEqualTo(RetryAfter.LONGEST);
        assertThat(read("Retry-After", "Sat, 01 Jan 2028 00:00:00 GMT")).isEqualTo(RetryAfter.LONGEST);
        assertThat(read("Retry-After", "-5")).isNull();
        assertThat(read("Retry-After", "1e-999999999")).isNull();
        assertThat(read("Retry-After", "NaN")).isNull();
        assertThat(read("Retry-After", "tomorrow")).isNull();
        assertThat(read()).isNull();
    }

    @Test
    void theClientIsToldWholeSecondsRoundedUp() {
        assertThat(RetryAfter.header(Duration.ofMillis(1500))).isEqualTo("2");
        assertThat(RetryAfter.header(Duration.ofSeconds(30))).isEqualTo("30");
        assertThat(RetryAfter.header(Duration.ofNanos(1))).isEqualTo("1");
        assertThat(RetryAfter.header(Duration.ZERO)).as("never 'now'").isEqualTo("1");
    }

    private static Duration read(String... namesAndValues) {
        HttpHeaders headers = new HttpHeaders();
        for (int i = 0; i < namesAndValues.length; i += 2) {
            headers.add(namesAndValues[i], namesAndValues[i + 1]);
        }
        return RetryAfter.read(headers, NOW);
    }

}
