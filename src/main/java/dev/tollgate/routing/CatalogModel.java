package dev.tollgate.routing;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

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
 * @param kind which endpoint serves it: chat completions or embeddings
 * @param routes every provider that can serve it, the catalog's own ({@code provider}, {@code upstreamId}) first
 */
public record CatalogModel(String id, String provider, String upstreamId, String name, int contextLength,
        @Nullable Integer maxOutputTokens, Kind kind, List<Route> routes) {

    public CatalogModel(String id, String provider, String upstreamId, String name, int contextLength,
            @Nullable Integer maxOutputTokens, Kind kind) {
        this(id, provider, upstreamId, name, contextLength, maxOutputTokens, kind,
                List.of(new Route(provider, upstreamId, 0, null, null)));
    }

    CatalogModel withRoutes(List<Route> extra) {
        List<Route> all = new ArrayList<>(routes);
        extra.stream().filter(route -> !route.provider().equals(provider)).forEach(all::add);
        all.sort(Comparator.comparingInt(Route::priority));
        return new CatalogModel(id, provider, upstreamId, name, contextLength, maxOutputTokens, kind,
                List.copyOf(all));
    }

    /** What a model does, as the {@code model.kind} column says. */
    public enum Kind {

        /** Served by {@code /v1/chat/completions} (and {@code /v1/messages}). */
        CHAT,

        /** Served by {@code /v1/embeddings}. */
        EMBEDDING;

        static Kind of(@Nullable String column) {
            return column == null ? CHAT : valueOf(column.toUpperCase(Locale.ROOT));
        }

    }

}
