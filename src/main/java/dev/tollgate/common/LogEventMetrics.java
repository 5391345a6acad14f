package dev.tollgate.common;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.LoggerContextListener;
import ch.qos.logback.core.UnsynchronizedAppenderBase;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;

/**
 * {@code logback.events}, the log events counted by level, as Micrometer's {@code LogbackMetrics} counts them, but
 * through an appender on the root logger instead of a turbo filter. Logback asks every turbo filter on every level
 * check, {@code isDebugEnabled()} included, and the libraries on a call's path make dozens of those checks:
 * Micrometer's filter answers a check at once, yet asking it was 1.2% of Tollgate's CPU at 500 requests/s, about
 * 4.4 µs a call (README "Benchmarks"). An appender runs only for an event that is logged. The counts would differ only
 * for an event that a logger with additivity off keeps from the root; Tollgate configures no such logger.
 */
final class LogEventMetrics implements MeterBinder, LoggerContextListener, AutoCloseable {

    private final LoggerContext context;

    private final List<EventCounter> counters = new CopyOnWriteArrayList<>();

    LogEventMetrics(LoggerContext context) {
        this.context = context;
        // Spring Boot resets Logback when it configures logging again (another application context in the same JVM,
        // as in tests); a reset stops and detaches every appender, this one included.
        context.addListener(this);
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        EventCounter counter = new EventCounter(registry);
        counter.setContext(context);
        counter.setName("tollgate-log-event-metrics");
        counters.add(counter);
        attach(counter);
    }

    @Override
    public void onReset(LoggerContext reset) {
        counters.forEach(this::attach);
    }

    @Override
    public void close() {
        context.removeListener(this);
        Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
        counters.forEach(counter -> {
            root.detachAppender(counter);
            counter.stop();
        });
        counters.clear();
    }

    private void attach(EventCounter counter) {
        counter.start();
        context.getLogger(Logger.ROOT_LOGGER_NAME).addAppender(counter);
    }

    @Override
    public boolean isResetResistant() {
        return true;
    }

    @Override
    public void onStart(LoggerContext started) {
    }

    @Override
    public void onStop(LoggerContext stopped) {
    }

    @Override
    public void onLevelChange(Logger logger, Level level) {
    }

    /**
     * One per registry, as Micrometer's filter is; the meters' names, tags and descriptions are Micrometer's.
     * Unsynchronized: counters need no lock, and the synchronized base class would make every thread that logs wait
     * for this appender.
     */
    private static final class EventCounter extends UnsynchronizedAppenderBase<ILoggingEvent> {

        private final Counter error;
        private final Counter warn;
        private final Counter info;
        private final Counter debug;
        private final Counter trace;

        EventCounter(MeterRegistry registry) {
            error = counter(registry, "error");
            warn = counter(registry, "warn");
            info = counter(registry, "info");
            debug = counter(registry, "debug");
            trace = counter(registry, "trace");
        }

        private static Counter counter(MeterRegistry registry, String level) {
            return Counter.builder("logback.events")
                .tag("level", level)
                .description("Number of log events that were enabled by the effective log level")
                .baseUnit("events")
                .register(registry);
        }

        @Override
        protected void append(ILoggingEvent event) {
            switch (event.getLevel().toInt()) {
                case Level.ERROR_INT -> error.increment();
                case Level.WARN_INT -> warn.increment();
                case Level.INFO_INT -> info.increment();
                case Level.DEBUG_INT -> debug.increment();
                case Level.TRACE_INT -> trace.increment();
                default -> {
                    // OFF and ALL are thresholds, never an event's level.
                }
            }
        }

    }

}
