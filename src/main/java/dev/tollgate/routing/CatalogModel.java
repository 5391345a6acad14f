package dev.tollgate.routing;

import org.jspecify.annotations.Nullable;

/**
 * A model Tollgate serves.
 *
 * @param id the public id, {@code provider/model}
 * @param provider the name of the configured provider that serves it
 * @param upstreamId the id the provider knows it by
 * @param name a display name
 * @param contextLength the context window in tokens
 * @param maxOutputTokens the most tokens one answer can have, when the provider says
 */
public record CatalogModel(String id, String provider, String upstreamId, String name, int contextLength,
        @Nullable Integer maxOutputTokens) {
}
