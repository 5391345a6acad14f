package dev.tollgate.provider.openai;

import java.net.URI;
import java.util.Set;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import tools.jackson.databind.json.JsonMapper;

import dev.tollgate.provider.ChatProvider;
import dev.tollgate.provider.ChatProviderFactory;
import dev.tollgate.provider.ProviderProperties;
import dev.tollgate.provider.UpstreamHttp;

/** Provider types {@code openai} (api.openai.com, key required) and {@code openai-compatible} (any base URL). */
@Configuration(proxyBeanMethods = false)
class OpenAiConfiguration {

    static final URI OPENAI_BASE_URL = URI.create("https://api.openai.com/v1");

    @Bean
    ChatProviderFactory openAiChatProviderFactory(JsonMapper json) {
        return new ChatProviderFactory() {

            @Override
            public Set<String> types() {
                return Set.of("openai", "openai-compatible");
            }

            @Override
            public ChatProvider create(String name, ProviderProperties properties) {
                boolean official = "openai".equals(properties.type());
                if (!official && properties.baseUrl() == null) {
                    throw new IllegalStateException("tollgate.providers." + name + ".base-url is required for type "
                            + properties.type());
                }
                UpstreamHttp http = new UpstreamHttp(name, properties, OPENAI_BASE_URL);
                return new OpenAiChatProvider(http, official, properties.streamOptions(),
                        properties.maxCompletionTokens(), json);
            }

        };
    }

}
