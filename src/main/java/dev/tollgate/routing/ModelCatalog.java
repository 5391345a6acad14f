package dev.tollgate.routing;

import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import org.springframework.http.HttpStatus;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Service;
import reactor.core.publisher.Mono;

import dev.tollgate.common.ApiException;
import dev.tollgate.common.RefreshingSnapshot;
import dev.tollgate.database.DatabaseMigrations;

/**
 * The enabled models, held in memory so that resolving a model costs a map lookup. The whole table is re-read
 * every few seconds, so a model enabled or added in the database (or by another replica) is served shortly after.
 */
@Service
public class ModelCatalog {

    private final DatabaseClient db;
    private final RefreshingSnapshot<Map<String, CatalogModel>> models;

    ModelCatalog(DatabaseClient db, DatabaseMigrations migrated) {
        this.db = db;
        this.models = new RefreshingSnapshot<>("the model catalog", this::load);
    }

    /** The chat model with this public id, or an error in OpenAI's shape: 404 if unknown, 400 if not a chat model. */
    public Mono<CatalogModel> require(String id) {
        return require(id, CatalogModel.Kind.CHAT);
    }

    /**
     * The model with this public id and kind, or an error in OpenAI's shape: 404 if unknown, 400 if it is of another
     * kind (an embedding model asked to chat, or the reverse).
     */
    public Mono<CatalogModel> require(String id, CatalogModel.Kind kind) {
        return models.flatMap(all -> {
            CatalogModel model = all.get(id);
            if (model == null) {
                return Mono.error(ApiException.modelNotFound(id));
            }
            return model.kind() == kind ? Mono.just(model) : Mono.error(wrongKind(model));
        });
    }

    /** Every enabled model by id, as of the last refresh, put to this function (at once once they are loaded). */
    <R> Mono<R> map(Function<Map<String, CatalogModel>, R> function) {
        return models.map(function);
    }

    /** Every enabled model, sorted by id. */
    public Mono<Collection<CatalogModel>> all() {
        return models.get().map(Map::values);
    }

    static ApiException wrongKind(CatalogModel model) {
        String message = model.kind() == CatalogModel.Kind.EMBEDDING
                ? "The model `" + model.id() + "` is an embedding model: send it to POST /v1/embeddings."
                : "The model `" + model.id() + "` is a chat model, not an embedding model: send it to "
                        + "POST /v1/chat/completions.";
        return new ApiException(HttpStatus.BAD_REQUEST, "invalid_request_error", "model_not_supported", message,
                "model", Map.of(), null);
    }

    @Scheduled(fixedDelayString = "${tollgate.catalog.refresh-interval:10s}")
    void refresh() {
        models.refresh();
    }

    private Mono<Map<String, CatalogModel>> load() {
        Mono<List<CatalogModel>> models = db.sql("""
                select id, provider, upstream_id, name, context_length, max_output_tokens, kind
                from model where enabled""")
            .map((row, meta) -> new CatalogModel(row.get("id", String.class), row.get("provider", String.class),
                    row.get("upstream_id", String.class), row.get("name", String.class),
                    row.get("context_length", Integer.class), row.get("max_output_tokens", Integer.class),
                    CatalogModel.Kind.of(row.get("kind", String.class))))
            .all()
            .sort(Comparator.comparing(CatalogModel::id))
            .collectList();
        Mono<Map<String, List<Route>>> routes = db.sql("""
                select model_id, provider, upstream_id, priority, input_per_mtok_micros, output_per_mtok_micros
                from model_route where enabled""")
            .map((row, meta) -> Map.entry(row.get("model_id", String.class), new Route(row.get("provider", String.class),
                    row.get("upstream_id", String.class), row.get("priority", Integer.class),
                    row.get("input_per_mtok_micros", Long.class), row.get("output_per_mtok_micros", Long.class))))
            .all()
            .collectMultimap(Map.Entry::getKey, Map.Entry::getValue)
            .map(multimap -> {
                Map<String, List<Route>> byModel = new HashMap<>();
                multimap.forEach((model, list) -> byModel.put(model, List.copyOf(list)));
                return byModel;
            });
        return Mono.zip(models, routes).map(both -> byId(both.getT1(), both.getT2()));
    }

    private static Map<String, CatalogModel> byId(List<CatalogModel> list, Map<String, List<Route>> routes) {
        Map<String, CatalogModel> map = new LinkedHashMap<>();
        list.forEach(model -> map.put(model.id(), model.withRoutes(routes.getOrDefault(model.id(), List.of()))));
        return Collections.unmodifiableMap(map);
    }

}
