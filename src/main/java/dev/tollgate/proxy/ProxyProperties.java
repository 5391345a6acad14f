package dev.tollgate.proxy;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * @param maxRequestSize the largest request body accepted; larger ones get 413
 * @param shutdownGracePeriod how long streams in flight may go on after a shutdown began; those still running then
 *     end with a final error event (keep it below {@code spring.lifecycle.timeout-per-shutdown-phase})
 */
@ConfigurationProperties("tollgate.proxy")
public record ProxyProperties(@DefaultValue("10MB") DataSize maxRequestSize,
        @DefaultValue("20s") Duration shutdownGracePeriod) {
}
