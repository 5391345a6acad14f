package dev.tollgate.testsupport;

import java.nio.charset.StandardCharsets;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.util.ResourceLeakHint;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The leak watch every test class runs under finds a buffer dropped without a release, and only that, and keeps apart
 * the answers the tests' own client left unread.
 */
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

    @Test
    void anAnswerTheTestsOwnClientLeftUnreadIsCountedApart() {
        NettyLeaks.collect();
        long before = NettyLeaks.testClientLeaks();
        leakOneThroughTheTestClientsDecompressor();

        assertThat(NettyLeaks.collect()).isEmpty();
        assertThat(NettyLeaks.testClientLeaks()).isEqualTo(before + 1);
    }

    private static void leakOneThroughTheTestClientsDecompressor() {
        ByteBuf buffer = ByteBufAllocator.DEFAULT.directBuffer();
        // What Netty's pipeline records as a buffer enters the handler Reactor Netty names so.
        ResourceLeakHint decompressor = () -> "'reactor.left.httpDecompressor' will handle the message from this point.";
        buffer.touch(decompressor);
    }

    private static void leakOne() {
        ByteBuf buffer = ByteBufAllocator.DEFAULT.directBuffer();
        buffer.writeCharSequence("never released", StandardCharsets.US_ASCII);
    }
}
