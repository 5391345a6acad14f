package dev.tollgate.proxy;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import dev.tollgate.metering.TokenCounter;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A client hanging up cancels the call on the client's event loop, which bills what was delivered, while the
 * provider's chunks may still be arriving on another: the delivered text is read and written from two threads.
 */
class DeliveredTextConcurrencyTests {

    private static final TokenCounter TOKENS = new TokenCounter();

    @Test
    void aCountTakenWhileAChunkCompletesASegmentSeesTheTextBeforeOrAfterIt() throws Exception {
        CountDownLatch readerCounting = new CountDownLatch(1);
        CountDownLatch chunkAdded = new CountDownLatch(1);
        Thread biller = Thread.currentThread();
        // Holds the billing thread's count in the middle, until the chunk that completes a segment has been added
        // (or, when adding has to wait for the count, for a moment).
        TokenCounter pausing = new TokenCounter() {
            @Override
            public int count(CharSequence text) {
                if (Thread.currentThread() == biller) {
                    readerCounting.countDown();
                    try {
                        chunkAdded.await(300, TimeUnit.MILLISECONDS);
                    }
                    catch (InterruptedException ex) {
                        Thread.currentThread().interrupt();
                    }
                }
                return TOKENS.count(text);
            }
        };
        DeliveredText delivered = new DeliveredText(pausing);
        String before = "tok ".repeat(DeliveredText.SEGMENT_CHARS / 4 - 1);
        delivered.add(before);
        CompletableFuture<Void> chunk = CompletableFuture.runAsync(() -> {
            try {
                readerCounting.await();
            }
            catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
            }
            delivered.add("tok tok ");
            chunkAdded.countDown();
        });

        long counted = delivered.tokens().join();
        chunk.get(10, TimeUnit.SECONDS);

        assertThat(counted).isIn((long) TOKENS.count(before), (long) TOKENS.count(before + "tok tok "));
    }


    /**
     * Nothing waits for a segment being counted: on a full boundedElastic pool, a count queued behind the thread
     * waiting for it would never run.
     */
    @Test
    void theCountOfWhatWasDeliveredDoesNotWaitForASegmentStillBeingCounted() throws Exception {
        CountDownLatch segmentCounting = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        TokenCounter slowOnSegments = new TokenCounter() {
            @Override
            public int count(CharSequence text) {
                if (text.length() >= DeliveredText.SEGMENT_CHARS) {
                    segmentCounting.countDown();
                    try {
                        release.await(10, TimeUnit.SECONDS);
                    }
                    catch (InterruptedException ex) {
                        Thread.currentThread().interrupt();
                    }
                }
                return TOKENS.count(text);
            }
        };
        DeliveredText delivered = new DeliveredText(slowOnSegments);
        String segment = "tok ".repeat(DeliveredText.SEGMENT_CHARS / 4);
        delivered.add(segment);
        assertThat(segmentCounting.await(10, TimeUnit.SECONDS)).isTrue();
        delivered.add("tok tok");

        CompletableFuture<Long> counted = CompletableFuture.supplyAsync(delivered::tokens).get(5, TimeUnit.SECONDS);

        assertThat(counted).isNotDone();
        release.countDown();
        assertThat(counted.get(10, TimeUnit.SECONDS)).isEqualTo((long) TOKENS.count(segment) + TOKENS.count("tok tok"));
    }

}
