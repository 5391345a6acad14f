package dev.tollgate.provider.anthropic;

import java.net.URI;
import java.time.Clock;
import java.util.Set;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import tools.jackson.databind.json.JsonMapper;

import dev.tollgate.provider.ChatProvider;
import dev.tollgate.provider.ChatProviderFactory;
import dev.tollgate.provider.ProviderProperties;
import dev.tollgate.provider.UpstreamHttp;

/**
 * Provider type {@code anthropic}: api.anthropic.com by default, a key required, {@code anthropic-version} from
 * {@code tollgate.providers.<name>.api-version} (default {@value AnthropicChatProvider#DEFAULT_VERSION}).
 */
@Configuration(proxyBeanMethods = false)
class AnthropicConfiguration {

    static final URI ANTHROPIC_BASE_URL = URI.create("https://api.anthropic.com");

    @Bean
    ChatProviderFactory anthropicChatProviderFactory(JsonMapper json, Clock clock) {
        return new ChatProviderFactory() {

            @Override
            public Set<String> types() {
                return Set.of("anthropic");
            }

            @Override
            public ChatProvider create(String name, ProviderProperties properties) {
                UpstreamHttp http = new UpstreamHttp(name, properties, ANTHROPIC_BASE_URL);
                String version = properties.apiVersion() != null && !properties.apiVersion().isBlank()
                        ? properties.apiVersion() : AnthropicChatProvider.DEFAULT_VERSION;
                return new AnthropicChatProvider(http, version, json, clock);
            }

        };
    }

}
