package dev.tollgate.common;

import java.time.Clock;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import tools.jackson.databind.json.JsonMapper;

@Configuration(proxyBeanMethods = false)
class CommonConfiguration {

    @Bean
    ApiErrorJson apiErrorJson(JsonMapper jsonMapper) {
        return new ApiErrorJson(jsonMapper);
    }

    @Bean
    ApiErrorWebExceptionHandler apiErrorWebExceptionHandler(ApiErrorJson apiErrorJson) {
        return new ApiErrorWebExceptionHandler(apiErrorJson);
    }

    @Bean
    Clock clock() {
        return Clock.systemUTC();
    }

}
