package dev.tollgate.proxy;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * @param maxRequestSize the largest request body accepted; larger ones get 413
 */
@ConfigurationProperties("tollgate.proxy")
public record ProxyProperties(@DefaultValue("10MB") DataSize maxRequestSize) {
}
