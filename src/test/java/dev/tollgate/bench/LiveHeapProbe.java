package dev.tollgate.bench;

import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * For the long streams: Tollgate's live heap a quarter of the way through the streams and near their end. If a stream
 * were held in memory as it goes, the second would exceed the first by what the streams delivered in between (500
 * streams × 650 chunks × some 300 bytes: about 100 MB); relayed chunk by chunk, they are the same.
 */
final class LiveHeapProbe implements AutoCloseable {

    private final ScheduledExecutorService timer;

    private LiveHeapProbe(ScheduledExecutorService timer) {
        this.timer = timer;
    }

    static LiveHeapProbe during(Scenario scenario, ProcessMeter meter, List<Long> liveHeap) {
        if (!scenario.once()) {
            return new LiveHeapProbe(null);
        }
        long streamMillis = scenario.chunks() * scenario.chunkInterval().toMillis();
        ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
        for (long at : new long[] {streamMillis / 4, streamMillis * 9 / 10}) {
            timer.schedule(() -> liveHeap.add(meter.liveHeapBytes()), at, TimeUnit.MILLISECONDS);
        }
        return new LiveHeapProbe(timer);
    }

    @Override
    public void close() throws InterruptedException {
        if (timer != null) {
            timer.shutdown();
            timer.awaitTermination(1, TimeUnit.MINUTES);
        }
    }
}
