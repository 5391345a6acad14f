package dev.tollgate.testsupport;

import java.lang.ref.PhantomReference;
import java.lang.ref.ReferenceQueue;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;

import io.netty.buffer.ByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
import io.netty.util.ResourceLeakDetectorFactory;
import org.junit.platform.launcher.LauncherSession;
import org.junit.platform.launcher.LauncherSessionListener;

/**
 * Tracks every Netty buffer of the test run and keeps what Netty reports as leaked, for {@link NettyLeakCheck} to fail
 * on. A proxy relays most of its bytes in Netty's buffers, which are freed by hand: one not released on some path (a
 * client gone, a provider cut off, an error mid-stream) is memory the process never gets back. Netty finds such a
 * buffer only once the collector has freed its wrapper, and by default follows one buffer in 128; here every buffer is
 * followed, with every place it was used, and the leaks are collected after each test class.
 * <p>
 * Not counted: answers the tests' own {@code WebTestClient} never read. Spring's client releases an answer's body
 * only when a test reads it ({@code expectBody(Void.class)} says "release it unread"), and many tests look at the
 * status and headers only. Those buffers are told apart by the decompressor they went through: Spring's connector asks
 * servers for compressed answers, and Tollgate's provider client does not ({@code ChatCompletionsIntegrationTests}
 * checks that it sends no {@code Accept-Encoding}); a server has no decompressor.
 * <p>
 * Registered through {@code META-INF/services}, ahead of everything else, so that the detector is in place before
 * Netty's buffer classes are loaded: they create theirs once, from the factory installed at that moment.
 */
public final class NettyLeaks implements LauncherSessionListener {

    /** The hint Netty records when a buffer enters a client's decompressor (Reactor Netty's name for it). */
    static final String TEST_CLIENT_HINT = "'reactor.left.httpDecompressor' will handle the message";

    /** Every buffer followed, with every place it was used. */
    static final ResourceLeakDetector.Level LEVEL = ResourceLeakDetector.Level.PARANOID;

    private static final List<String> reported = new ArrayList<>();

    private static final AtomicLong testClientLeaks = new AtomicLong();

    @Override
    public void launcherSessionOpened(LauncherSession session) {
        // Keeps every record of a buffer's use (Netty keeps 4 by default and drops the rest at random), so that a
        // leak says where it happened and the test client's hint is never dropped. Read once, when the class loads.
        System.setProperty("io.netty.leakDetection.targetRecords", "1000");
        ResourceLeakDetector.setLevel(LEVEL);
        // Every Spring context of the run would set the product's level (disabled, application.yml) when it starts;
        // a system property outranks the file.
        System.setProperty("spring.netty.leak-detection", LEVEL.name().toLowerCase(Locale.ROOT));
        ResourceLeakDetectorFactory.setResourceLeakDetectorFactory(new ResourceLeakDetectorFactory() {
            @Override
            public <T> ResourceLeakDetector<T> newResourceLeakDetector(Class<T> resource, int samplingInterval,
                    long maxActive) {
                return new RecordingDetector<>(resource, samplingInterval);
            }
        });
    }

    @Override
    public void launcherSessionClosed(LauncherSession session) {
        System.out.println("NettyLeaks: " + testClientLeaks() + " answer buffer(s) the tests' WebTestClient left unread "
            + "(not counted as leaks)");
    }

    /**
     * The leaks reported since the last call: collects the garbage, waits until the references the collection freed
     * are queued, then allocates a buffer, which is when Netty looks at that queue.
     */
    static List<String> collect() {
        // Twice: the JVM's reference handler queues one collection's references one by one, in no set order, so a
        // sentinel of the same collection can be queued before a leak's (CI saw that once); it takes up the next
        // collection's references only after the last one's are all queued.
        awaitCollection();
        awaitCollection();
        ByteBufAllocator.DEFAULT.buffer(1).release();
        synchronized (reported) {
            List<String> leaks = List.copyOf(reported);
            reported.clear();
            return leaks;
        }
    }

    private static void awaitCollection() {
        ReferenceQueue<Object> freed = new ReferenceQueue<>();
        PhantomReference<Object> sentinel = new PhantomReference<>(new Object(), freed);
        System.gc();
        try {
            freed.remove(10_000);
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
        }
        sentinel.clear();
    }

    /** Answers the tests' own client left unread so far (see the class comment); not failures. */
    static long testClientLeaks() {
        return testClientLeaks.get();
    }

    private static final class RecordingDetector<T> extends ResourceLeakDetector<T> {

        RecordingDetector(Class<T> resource, int samplingInterval) {
            super(resource, samplingInterval);
        }

        // Netty reports only when its logger would print the error; the test run wants every leak.
        @Override
        protected boolean needReport() {
            return true;
        }

        @Override
        protected void reportTracedLeak(String resourceType, String records) {
            if (records.contains(TEST_CLIENT_HINT)) {
                testClientLeaks.incrementAndGet();
                return;
            }
            note(resourceType + " leaked. Where it was last used:" + records);
            super.reportTracedLeak(resourceType, records);
        }

        @Override
        protected void reportUntracedLeak(String resourceType) {
            note(resourceType + " leaked (no record of where it was used)");
            super.reportUntracedLeak(resourceType);
        }

        private static void note(String leak) {
            synchronized (reported) {
                reported.add(leak);
            }
        }
    }
}
