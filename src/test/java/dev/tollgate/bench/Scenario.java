package dev.tollgate.bench;

import java.time.Duration;

/**
 * One load shape, run against the upstream directly and then through Tollgate. {@code load} is calls per second for
 * open load, and the number of callers for closed load; {@code once} makes each caller send a single call (the
 * concurrent long streams).
 */
record Scenario(String id, String title, boolean open, boolean stream, int load, boolean once, Duration duration,
        int chunks, Duration chunkInterval) {

    static Scenario nonStreaming(int perSecond, Duration duration) {
        return new Scenario("chat-" + perSecond + "rps", "Non-streaming, " + perSecond + " requests/s (open load)", true,
                false, perSecond, false, duration, 0, Duration.ZERO);
    }

    static Scenario streaming(int perSecond, Duration duration) {
        return new Scenario("stream-" + perSecond + "rps",
                "Streaming 100 chunks 2 ms apart, " + perSecond + " streams/s (open load)", true, true, perSecond, false,
                duration, 100, Duration.ofMillis(2));
    }

    static Scenario longStreams(int streams, int chunks, Duration chunkInterval) {
        return new Scenario("long-streams-" + streams,
                streams + " concurrent streams of " + chunks + " chunks " + chunkInterval.toMillis() + " ms apart", false,
                true, streams, true, Duration.ZERO, chunks, chunkInterval);
    }

    static Scenario closedLoop(int callers, Duration duration) {
        return new Scenario("closed-loop", "Non-streaming, " + callers + " callers back to back (closed load, maximum "
                + "throughput)", false, false, callers, false, duration, 0, Duration.ZERO);
    }

    /** The same load for a part of the time: one of {@code parts} slices that interleave the paths. */
    Scenario slice(int parts) {
        return parts == 1 ? this : new Scenario(id, title, open, stream, load, once, duration.dividedBy(parts), chunks,
                chunkInterval);
    }

    Load.Measured run(LoadClient client, Target target) throws InterruptedException {
        if (open) {
            return Load.open(client, target, stream, load, duration);
        }
        return Load.closed(client, target, stream, load, once ? Duration.ZERO : duration);
    }
}
