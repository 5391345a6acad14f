package dev.tollgate.provider.gemini;

import java.net.URI;
import java.util.Set;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import tools.jackson.databind.json.JsonMapper;

import dev.tollgate.provider.ChatProvider;
import dev.tollgate.provider.ChatProviderFactory;
import dev.tollgate.provider.ProviderProperties;
import dev.tollgate.provider.UpstreamHttp;

/** Provider type {@code gemini}: Google's Gemini API (generativelanguage.googleapis.com, key required). */
@Configuration(proxyBeanMethods = false)
class GeminiConfiguration {

    static final URI GEMINI_BASE_URL = URI.create("https://generativelanguage.googleapis.com/v1beta");

    @Bean
    ChatProviderFactory geminiChatProviderFactory(JsonMapper json) {
        return new ChatProviderFactory() {

            @Override
            public Set<String> types() {
                return Set.of("gemini");
            }

            @Override
            public ChatProvider create(String name, ProviderProperties properties) {
                return new GeminiChatProvider(new UpstreamHttp(name, properties, GEMINI_BASE_URL), json);
            }

        };
    }

}
