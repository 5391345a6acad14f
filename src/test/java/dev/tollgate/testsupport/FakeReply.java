package dev.tollgate.testsupport;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * One scripted answer of {@link FakeUpstream}: a status, headers and a body that is either sent whole or as a list
 * of raw SSE frames with a gap between them, optionally cut off after some frames, or never sent at all.
 */
public record FakeReply(int status, Map<String, String> headers, List<String> frames, Duration delay, Duration gap,
        int dropAfterFrames, boolean hanging, int pauseAfterFrames) {

    public static FakeReply json(int status, String body) {
        return new FakeReply(status, Map.of("content-type", "application/json"), List.of(body), Duration.ZERO,
                Duration.ZERO, -1, false, -1);
    }

    public static FakeReply fixture(int status, String resource) {
        return json(status, Fixtures.text(resource));
    }

    /** An SSE stream whose frames are the blank-line separated events of the given text. */
    public static FakeReply sse(String sseText) {
        return new FakeReply(200, Map.of("content-type", "text/event-stream"), SseText.frames(sseText), Duration.ZERO,
                Duration.ZERO, -1, false, -1);
    }

    public static FakeReply sseFixture(String resource) {
        return sse(Fixtures.text(resource));
    }

    /** Closes the connection without answering at all, as a provider crashing before its headers would. */
    public static FakeReply disconnect() {
        return new FakeReply(0, Map.of(), List.of(), Duration.ZERO, Duration.ZERO, 0, false, -1);
    }

    public static FakeReply hang() {
        return new FakeReply(200, Map.of(), List.of(), Duration.ZERO, Duration.ZERO, -1, true, -1);
    }

    public FakeReply withHeader(String name, String value) {
        Map<String, String> all = new java.util.HashMap<>(headers);
        all.put(name, value);
        return new FakeReply(status, Map.copyOf(all), frames, delay, gap, dropAfterFrames, hanging, pauseAfterFrames);
    }

    /** Waits this long before answering at all (headers included). */
    public FakeReply delayedBy(Duration delay) {
        return new FakeReply(status, headers, frames, delay, gap, dropAfterFrames, hanging, pauseAfterFrames);
    }

    /** Waits this long between two frames. */
    public FakeReply withGap(Duration gap) {
        return new FakeReply(status, headers, frames, delay, gap, dropAfterFrames, hanging, pauseAfterFrames);
    }

    /** Sends this many frames, then closes the connection without ending the response. */
    public FakeReply droppingAfter(int frames) {
        return new FakeReply(status, headers, this.frames, delay, gap, frames, hanging, pauseAfterFrames);
    }

    /** Sends this many frames, then waits until the test calls {@link FakeUpstream#resume()}. */
    public FakeReply pausingAfter(int frames) {
        return new FakeReply(status, headers, this.frames, delay, gap, dropAfterFrames, hanging, frames);
    }

    /**
     * How many times Tollgate will receive this failure before it gives up on the route: a failure it retries
     * (a lost connection, 408, 5xx, or a 429 whose Retry-After it waits for) comes once per attempt; a route that
     * let its timeout pass is not asked again.
     */
    int timesSeenPerRoute() {
        boolean retried = !hanging && (status == 0 || status == 408 || status >= 500
                || (status == 429 && retryAfterSeconds() <= TestEnvironment.MAX_RETRY_AFTER_SECONDS));
        return retried ? TestEnvironment.ATTEMPTS_PER_ROUTE : 1;
    }

    private double retryAfterSeconds() {
        for (Map.Entry<String, String> header : headers.entrySet()) {
            if (header.getKey().equalsIgnoreCase("retry-after-ms")) {
                return Double.parseDouble(header.getValue()) / 1000;
            }
            if (header.getKey().equalsIgnoreCase("retry-after")) {
                return Double.parseDouble(header.getValue());
            }
        }
        return 1;
    }

    byte[] body() {
        return String.join("", frames).getBytes(StandardCharsets.UTF_8);
    }

    boolean streamed() {
        return headers.getOrDefault("content-type", "").startsWith("text/event-stream");
    }

}
