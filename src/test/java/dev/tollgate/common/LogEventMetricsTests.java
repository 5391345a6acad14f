package dev.tollgate.common;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class LogEventMetricsTests {

    private final LoggerContext context = new LoggerContext();

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

    private final LogEventMetrics metrics = new LogEventMetrics(context);

    private final Logger log = context.getLogger("dev.tollgate.example");

    LogEventMetricsTests() {
        context.start();
        context.getLogger(Logger.ROOT_LOGGER_NAME).setLevel(Level.INFO);
        metrics.bindTo(registry);
    }

    @AfterEach
    void close() {
        metrics.close();
        context.stop();
    }

    @Test
    void countsTheEventsLoggedByLevelAndNotTheLevelChecks() {
        log.warn("one");
        log.warn("two");
        log.error("three");
        log.info("four");
        log.debug("below the level: not an event");
        assertThat(log.isDebugEnabled()).isFalse();

        assertThat(count("warn")).isEqualTo(2);
        assertThat(count("error")).isEqualTo(1);
        assertThat(count("info")).isEqualTo(1);
        assertThat(count("debug")).isZero();
        assertThat(count("trace")).isZero();
    }

    @Test
    void addsNoTurboFilterThatEveryLevelCheckWouldAsk() {
        assertThat(context.getTurboFilterList()).isEmpty();
    }

    @Test
    void goesOnCountingAfterLogbackIsReset() {
        context.reset();
        context.getLogger(Logger.ROOT_LOGGER_NAME).setLevel(Level.INFO);

        log.warn("after the reset");

        assertThat(count("warn")).isEqualTo(1);
    }

    @Test
    void stopsCountingOnceClosed() {
        metrics.close();

        log.warn("after close");

        assertThat(count("warn")).isZero();
        assertThat(context.getLogger(Logger.ROOT_LOGGER_NAME).iteratorForAppenders().hasNext()).isFalse();
    }

    private double count(String level) {
        return registry.get("logback.events").tag("level", level).counter().count();
    }

}
