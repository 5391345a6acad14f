package dev.tollgate.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * For the long streams: Tollgate's live heap a quarter of the way through the streams and near their end. If a stream
 * were held in memory as it goes, the second would exceed the first by what the streams delivered in between (500
 * streams × 650 chunks × some 300 bytes: about 100 MB); relayed chunk by chunk, they are the same. The heap's largest
 * classes at each probe go to {@code heap-1.txt} and {@code heap-2.txt}.
 */
final class LiveHeapProbe implements AutoCloseable {

    private final ScheduledExecutorService timer;

    private LiveHeapProbe(ScheduledExecutorService timer) {
        this.timer = timer;
    }

    static LiveHeapProbe during(Scenario scenario, ProcessMeter meter, List<Long> liveHeap, Path output) {
        if (!scenario.once()) {
            return new LiveHeapProbe(null);
        }
        long streamMillis = scenario.chunks() * scenario.chunkInterval().toMillis();
        ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
        for (long at : new long[] {streamMillis / 4, streamMillis * 9 / 10}) {
            timer.schedule(() -> {
                String histogram = meter.heapHistogram();
                liveHeap.add(ProcessMeter.liveBytes(histogram));
                try {
                    Files.writeString(output.resolve("heap-" + liveHeap.size() + ".txt"),
                            histogram.lines().limit(30).collect(Collectors.joining("\n", "", "\n")));
                }
                catch (IOException unwritable) {
                    throw new UncheckedIOException(unwritable);
                }
            }, at, TimeUnit.MILLISECONDS);
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
