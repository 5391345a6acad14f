package dev.tollgate.proxy;

import java.util.concurrent.atomic.AtomicBoolean;

import org.springframework.http.server.reactive.ServerHttpResponse;
import reactor.core.publisher.Flux;

import dev.tollgate.proxy.HotPathHandler.Answer;

/**
 * What Tollgate added to a generation before its answer's first byte, reported the same way by every generation
 * endpoint: the {@code x-tollgate-overhead-ms} header and the {@code tollgate.overhead} timer, and for a stream the
 * count of streams open.
 */
final class OverheadReport {

    static final String HEADER = "x-tollgate-overhead-ms";

    private final ProxyMetrics metrics;

    OverheadReport(ProxyMetrics metrics) {
        this.metrics = metrics;
    }

    /** A whole answer, measured now, as it is about to be written. */
    Answer whole(GenerationTracker tracker, Answer answer) {
        long overhead = tracker.overheadNanos();
        metrics.overhead(overhead);
        return response -> {
            response.getHeaders().set(HEADER, milliseconds(overhead));
            return answer.writeTo(response);
        };
    }

    /** A stream's frames, measured at the first one (the headers leave with it), counted open while they last. */
    Flux<byte[]> stream(Flux<byte[]> frames, GenerationTracker tracker, ServerHttpResponse response) {
        AtomicBoolean first = new AtomicBoolean(true);
        return frames.doOnNext(frame -> {
            if (first.compareAndSet(true, false)) {
                long overhead = tracker.overheadNanos();
                metrics.overhead(overhead);
                response.getHeaders().set(HEADER, milliseconds(overhead));
            }
        })
            .doOnSubscribe(subscription -> metrics.streamStarted())
            .doFinally(signal -> metrics.streamEnded());
    }

    /**
     * Milliseconds with microsecond precision, e.g. {@code 0.412}: what {@code BigDecimal.valueOf(micros, 3)
     * .toPlainString()} writes, without the decimal on every call (0.3% of a call's CPU at 500 requests/s).
     */
    static String milliseconds(long nanos) {
        long micros = nanos / 1000;
        long whole = micros / 1000;
        int fraction = (int) Math.abs(micros % 1000);
        StringBuilder text = new StringBuilder(12);
        if (micros < 0 && whole == 0) {
            text.append('-');
        }
        text.append(whole).append('.');
        if (fraction < 100) {
            text.append(fraction < 10 ? "00" : "0");
        }
        return text.append(fraction).toString();
    }

}
