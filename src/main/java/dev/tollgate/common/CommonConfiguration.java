package dev.tollgate.common;

import java.time.Clock;
import java.util.List;

import ch.qos.logback.classic.LoggerContext;
import org.slf4j.LoggerFactory;
import org.springframework.boot.jackson.autoconfigure.JsonMapperBuilderCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Scope;
import tools.jackson.core.json.JsonFactory;
import tools.jackson.core.util.JsonRecyclerPools;
import tools.jackson.databind.json.JsonMapper;

@Configuration(proxyBeanMethods = false)
class CommonConfiguration {

    /**
     * Boot's mapper builder (it backs off when this one is there), with every customizer applied as Boot does, on a
     * JSON factory whose parsers and generators take their buffers from a per-thread pool instead of Jackson 3's
     * default, one concurrent deque shared by all threads. Parsers are made on the event loops for every request and
     * every streamed chunk; the deque handed each one the buffers released longest ago, through a queue all the loops
     * contend for, and its {@code pollFirst} alone was 2% of Tollgate's CPU at 100 streams/s (README "Benchmarks").
     * The event loops are a fixed set of platform threads, the case a per-thread pool suits.
     */
    @Bean
    @Scope("prototype")
    JsonMapper.Builder jsonMapperBuilder(List<JsonMapperBuilderCustomizer> customizers) {
        JsonMapper.Builder builder = JsonMapper.builder(JsonFactory.builder()
            .recyclerPool(JsonRecyclerPools.threadLocalPool())
            .build());
        customizers.forEach(customizer -> customizer.customize(builder));
        return builder;
    }

    @Bean
    ApiErrorJson apiErrorJson(JsonMapper jsonMapper) {
        return new ApiErrorJson(jsonMapper);
    }

    @Bean
    ApiErrorWebExceptionHandler apiErrorWebExceptionHandler(ApiErrorJson apiErrorJson) {
        return new ApiErrorWebExceptionHandler(apiErrorJson);
    }

    /** In place of Boot's {@code LogbackMetrics}, which {@code application.yml} excludes: see the class. */
    @Bean
    LogEventMetrics logEventMetrics() {
        return new LogEventMetrics((LoggerContext) LoggerFactory.getILoggerFactory());
    }

    @Bean
    Clock clock() {
        return Clock.systemUTC();
    }

}
