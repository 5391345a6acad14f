package dev.tollgate.testsupport;

import java.nio.charset.StandardCharsets;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The leak watch every test class runs under finds a buffer dropped without a release, and only that. */
class NettyLeaksTests {

    @Test
    void aBufferDroppedWithoutReleaseIsReportedWithWhereItWasUsed() {
        NettyLeaks.collect();
        leakOne();

        assertThat(NettyLeaks.collect()).singleElement().asString()
            .contains("ByteBuf leaked")
            .contains(NettyLeaksTests.class.getName() + ".leakOne");
    }

    @Test
    void releasedBuffersAreNotReported() {
        NettyLeaks.collect();
        ByteBuf buffer = ByteBufAllocator.DEFAULT.buffer();
        buffer.writeCharSequence("released", StandardCharsets.US_ASCII);
        buffer.release();

        assertThat(NettyLeaks.collect()).isEmpty();
    }

    private static void leakOne() {
        ByteBuf buffer = ByteBufAllocator.DEFAULT.directBuffer();
        buffer.writeCharSequence("never released", StandardCharsets.US_ASCII);
    }
}
