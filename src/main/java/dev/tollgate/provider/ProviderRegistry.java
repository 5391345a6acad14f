package dev.tollgate.provider;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.stereotype.Component;

/** The configured providers, by name, each built by the factory of its type at startup. */
@Component
public class ProviderRegistry implements DisposableBean {

    private static final Logger log = LoggerFactory.getLogger(ProviderRegistry.class);

    private final Map<String, ChatProvider> providers;

    ProviderRegistry(ProvidersProperties properties, List<ChatProviderFactory> factories) {
        Map<String, ChatProviderFactory> byType = new HashMap<>();
        factories.forEach(factory -> factory.types().forEach(type -> byType.put(type, factory)));
        Map<String, ChatProvider> built = new HashMap<>();
        properties.providers().forEach((name, provider) -> {
            ChatProviderFactory factory = byType.get(provider.type());
            if (factory == null) {
                throw new IllegalStateException("tollgate.providers." + name + ".type is '" + provider.type()
                        + "'; known types are " + byType.keySet());
            }
            built.put(name, factory.create(name, provider));
            log.info("Provider {} ({}) at {} with {} key(s)", name, provider.type(), provider.baseUrl(),
                    provider.apiKeys().size());
        });
        this.providers = Map.copyOf(built);
    }

    public Optional<ChatProvider> find(String name) {
        return Optional.ofNullable(providers.get(name));
    }

    @Override
    public void destroy() {
        providers.values().forEach(ChatProvider::close);
    }

}
