package dev.tollgate.metering;

import java.util.UUID;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class GenerationIdsTests {

    @Test
    void anIdIsItsUuidsHexDigitsWithLeadingZerosKept() {
        UUID small = new UUID(0x1L, 0xabL);

        assertThat(GenerationIds.format(small)).isEqualTo("gen-000000000000000100000000000000ab");
    }

    @Test
    void formatAndParseAreInverses() {
        for (int i = 0; i < 100; i++) {
            UUID id = i == 0 ? new UUID(-1L, Long.MIN_VALUE) : GenerationIds.next();
            String text = GenerationIds.format(id);

            assertThat(text).isEqualTo("gen-" + id.toString().replace("-", ""));
            assertThat(GenerationIds.parse(text)).isEqualTo(id);
        }
    }

    @Test
    void nextIsAVersion7UuidInTimeOrder() {
        UUID first = GenerationIds.next();
        UUID second;
        do {
            second = GenerationIds.next();
        } while (second.getMostSignificantBits() >>> 16 == first.getMostSignificantBits() >>> 16);

        assertThat(first.version()).isEqualTo(7);
        assertThat(first.variant()).isEqualTo(2);
        assertThat(GenerationIds.format(first)).isLessThan(GenerationIds.format(second));
    }

    @Test
    void textThatIsNotAnIdParsesToNull() {
        assertThat(GenerationIds.parse(null)).isNull();
        assertThat(GenerationIds.parse("chatcmpl-123")).isNull();
        assertThat(GenerationIds.parse("gen-xyz00000000000000000000000000000")).isNull();
        assertThat(GenerationIds.parse("gen-00")).isNull();
    }

}
