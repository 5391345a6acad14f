package dev.tollgate.provider;

import java.util.Map;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/** Every upstream Tollgate may call, by name: {@code tollgate.providers.<name>.*}. */
@ConfigurationProperties("tollgate")
public record ProvidersProperties(@DefaultValue Map<String, ProviderProperties> providers) {
}
