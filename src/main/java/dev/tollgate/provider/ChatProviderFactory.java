package dev.tollgate.provider;

import java.util.Set;

/** Builds the adapter for one provider type; each provider folder contributes one as a bean. */
public interface ChatProviderFactory {

    /** The values of {@code tollgate.providers.<name>.type} this factory serves. */
    Set<String> types();

    ChatProvider create(String name, ProviderProperties properties);

}
