package dev.tollgate.testsupport;

import org.junit.platform.launcher.LauncherSession;
import org.junit.platform.launcher.LauncherSessionListener;
import reactor.blockhound.BlockHound;

/**
 * Installs BlockHound for the whole test run: a blocking call on a Netty event loop or a Reactor non-blocking
 * thread fails the test that made it. Registered through {@code META-INF/services}.
 */
public final class BlockHoundInstaller implements LauncherSessionListener {

    @Override
    public void launcherSessionOpened(LauncherSession session) {
        BlockHound.install(builder -> builder
            // Not a blocking call, but as bad on an event loop: the tokenizer takes milliseconds per 16 KB of text (a
            // segment of a stream, a large prompt), so counting runs on boundedElastic (DeliveredText).
            .markAsBlocking("dev.tollgate.metering.TokenCounter", "count", "(Ljava/lang/CharSequence;)I")
            // Logging to the console is a synchronous write by design; log lines on the hot path are rare.
            .allowBlockingCallsInside("ch.qos.logback.core.OutputStreamAppender", "writeBytes")
            // Class loading and JIT deoptimization can touch the file system on first use of a class.
            .allowBlockingCallsInside("java.lang.ClassLoader", "loadClass")
            // Netty 4.2's adaptive allocator takes a short internal lock when it grows its magazines.
            .allowBlockingCallsInside("io.netty.buffer.AdaptivePoolingAllocator$MagazineGroup", "tryExpandMagazines")
            // resilience4j's sliding window guards a small array update with a lock; contention is rare and brief.
            .allowBlockingCallsInside("io.github.resilience4j.core.metrics.FixedSizeSlidingWindowMetrics", "record")
            // Lettuce (Redis) guards each write to a connection with a short internal lock. It must not be
            // interrupted: DefaultEndpoint.write releases it in a finally block even when taking it threw, so an
            // error raised inside it would unbalance the lock's writer count and wedge the connection for good.
            .allowBlockingCallsInside("io.lettuce.core.protocol.SharedLock", "incrementWriters")
            .allowBlockingCallsInside("io.lettuce.core.protocol.SharedLock", "doExclusive"));
    }

}
