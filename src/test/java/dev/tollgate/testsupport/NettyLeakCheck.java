package dev.tollgate.testsupport;

import java.util.List;

import io.netty.util.ResourceLeakDetector;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Fails a test class after which Netty reported a leaked buffer ({@link NettyLeaks}). Applies to every test class
 * (extension autodetection, {@code junit-platform.properties}). A leak is found when the collector frees it, which
 * can be after the class that leaked it has ended, so the class that fails is the one that made it, or the next.
 */
public final class NettyLeakCheck implements AfterAllCallback {

    @Override
    public void afterAll(ExtensionContext context) {
        if (ResourceLeakDetector.getLevel() != NettyLeaks.LEVEL) {
            // Something (a Spring context's spring.netty.leak-detection) lowered it: leaks would go unseen.
            throw new AssertionError("Netty's leak detection is " + ResourceLeakDetector.getLevel() + " after "
                + context.getDisplayName() + ", not " + NettyLeaks.LEVEL);
        }
        List<String> leaks = NettyLeaks.collect();
        if (!leaks.isEmpty()) {
            throw new AssertionError(leaks.size() + " Netty buffer(s) were never released, during "
                + context.getDisplayName() + " or the test class before it:\n" + String.join("\n", leaks));
        }
    }
}
