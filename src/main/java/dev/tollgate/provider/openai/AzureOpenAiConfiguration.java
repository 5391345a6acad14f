package dev.tollgate.provider.openai;

import java.util.Set;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import tools.jackson.databind.json.JsonMapper;

import dev.tollgate.provider.ChatProvider;
import dev.tollgate.provider.ChatProviderFactory;
import dev.tollgate.provider.ProviderProperties;
import dev.tollgate.provider.UpstreamHttp;

/**
 * Provider type {@code azure-openai}: an Azure OpenAI resource ({@code base-url} required, e.g.
 * {@code https://my-resource.openai.azure.com}, a key required).
 */
@Configuration(proxyBeanMethods = false)
class AzureOpenAiConfiguration {

    /**
     * The newest generally available data-plane API version when this was written (it has
     * {@code stream_options.include_usage}, tools and structured outputs); set {@code api-version} to change it.
     */
    static final String DEFAULT_API_VERSION = "2024-10-21";

    @Bean
    ChatProviderFactory azureOpenAiChatProviderFactory(JsonMapper json) {
        return new ChatProviderFactory() {

            @Override
            public Set<String> types() {
                return Set.of("azure-openai");
            }

            @Override
            public ChatProvider create(String name, ProviderProperties properties) {
                if (properties.baseUrl() == null) {
                    throw new IllegalStateException("tollgate.providers." + name + ".base-url is required for type "
                            + "azure-openai (https://<resource>.openai.azure.com)");
                }
                String apiVersion = properties.apiVersion() != null ? properties.apiVersion() : DEFAULT_API_VERSION;
                return new AzureOpenAiChatProvider(new UpstreamHttp(name, properties, properties.baseUrl()), apiVersion,
                        properties.streamOptions(), properties.maxCompletionTokens(), json);
            }

        };
    }

}
