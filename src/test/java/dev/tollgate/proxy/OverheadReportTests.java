package dev.tollgate.proxy;

import java.math.BigDecimal;
import java.util.SplittableRandom;
import java.util.stream.LongStream;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class OverheadReportTests {

    @Test
    void overheadIsWrittenAsTheDecimalOfItsMicroseconds() {
        assertThat(OverheadReport.milliseconds(412_345)).isEqualTo("0.412");
        assertThat(OverheadReport.milliseconds(1_234_999)).isEqualTo("1.234");
        assertThat(OverheadReport.milliseconds(999)).isEqualTo("0.000");
        LongStream nanos = LongStream.concat(
                LongStream.of(0, 1_000, 9_999, 10_000, 99_999, 100_000, 1_000_000, 1_005_000, 1_050_000, -1_000,
                        -5_000, -999_000, -1_000_000, -1_005_000, Long.MAX_VALUE, Long.MIN_VALUE),
                new SplittableRandom(7).longs(10_000, -5_000_000_000L, 5_000_000_000L));
        nanos.forEach(value -> assertThat(OverheadReport.milliseconds(value)).as("%d ns", value)
            .isEqualTo(BigDecimal.valueOf(value / 1000, 3).toPlainString()));
    }

}
