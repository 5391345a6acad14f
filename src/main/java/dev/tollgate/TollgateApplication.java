package dev.tollgate;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;
import org.springframework.scheduling.annotation.EnableScheduling;

/** Tollgate: a multi-tenant, OpenAI-compatible LLM API proxy with metering and prepaid credits. */
@SpringBootApplication
@ConfigurationPropertiesScan
@EnableScheduling
public class TollgateApplication {

    public static void main(String[] args) {
        SpringApplication.run(TollgateApplication.class, args);
    }

}
