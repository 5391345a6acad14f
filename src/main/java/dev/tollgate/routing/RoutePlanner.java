package dev.tollgate.routing;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.jspecify.annotations.Nullable;
import org.springframework.stereotype.Service;
import reactor.core.publisher.Mono;

import dev.tollgate.common.ApiException;
import dev.tollgate.metering.PriceQuote;
import dev.tollgate.metering.PricingService;
import dev.tollgate.provider.ProviderRegistry;

/**
 * Orders the ways a request can be served: its model's routes, then each fallback model's ({@code models}), each
 * model's routes ranked by the request's provider preferences, then by health (a closed breaker before a half-open one
 * before an open one), then by the route's priority. Routes to providers that are not configured are left out.
 */
@Service
public class RoutePlanner {

    private final ModelCatalog catalog;
    private final ProviderRegistry providers;
    private final ProviderHealth health;
    private final PricingService pricing;

    RoutePlanner(ModelCatalog catalog, ProviderRegistry providers, ProviderHealth health, PricingService pricing) {
        this.catalog = catalog;
        this.providers = providers;
        this.health = health;
        this.pricing = pricing;
    }

    /**
     * The candidates for a request, in the order to try them.
     * @return the plan; an error 404 when the model is unknown, 400 when a fallback model is, 503 when no configured
     *     provider serves any of them
     */
    public Mono<List<Candidate>> plan(String model, List<String> fallbackModels, ProviderPreferences preferences,
            CatalogModel.Kind kind) {
        if (preferences.sort() != ProviderPreferences.Sort.PRICE) {
            return catalog.map(models -> plan(models, Map.of(), model, fallbackModels, preferences, kind));
        }
        // Only a sort by price needs the catalog prices (a route without a host price of its own costs those).
        return pricing.quotes(null).flatMap(prices -> catalog.map(models -> plan(models, prices, model,
                fallbackModels, preferences, kind)));
    }

    private List<Candidate> plan(Map<String, CatalogModel> models, Map<String, PriceQuote> prices, String model,
            List<String> fallbackModels, ProviderPreferences preferences, CatalogModel.Kind kind) {
        List<Candidate> plan = new ArrayList<>();
        CatalogModel primary = models.get(model);
        if (primary == null) {
            throw ApiException.modelNotFound(model);
        }
        if (primary.kind() != kind) {
            throw ModelCatalog.wrongKind(primary);
        }
        addRoutes(plan, primary, preferences, prices);
        // Each model once, however often the list names it: a model that refused the request is not asked again.
        Set<String> planned = fallbackModels.isEmpty() ? Set.of() : new HashSet<>(List.of(primary.id()));
        for (int i = 0; i < fallbackModels.size(); i++) {
            CatalogModel fallback = models.get(fallbackModels.get(i));
            if (fallback == null || fallback.kind() != kind) {
                throw ApiException.invalidParam("models", "models[" + i + "]: the model `" + fallbackModels.get(i)
                        + "` does not exist or is not a " + kind.name().toLowerCase() + " model.");
            }
            if (planned.add(fallback.id())) {
                addRoutes(plan, fallback, preferences, prices);
            }
        }
        if (plan.isEmpty()) {
            throw ApiException.noProvider("No configured provider can serve " + model
                    + (preferences.order().isEmpty() && preferences.only().isEmpty() ? ""
                            : " with the requested provider preferences") + ".");
        }
        return List.copyOf(plan);
    }

    private void addRoutes(List<Candidate> plan, CatalogModel model, ProviderPreferences preferences,
            Map<String, PriceQuote> prices) {
        List<Route> routes = new ArrayList<>();
        for (Route route : model.routes()) {
            if (providers.find(route.provider()).isEmpty() || preferences.ignore().contains(route.provider())
                    || (!preferences.only().isEmpty() && !preferences.only().contains(route.provider()))
                    || (!preferences.allowFallbacks() && !preferences.order().isEmpty()
                            && !preferences.order().contains(route.provider()))) {
                continue;
            }
            routes.add(route);
        }
        routes.sort(ranking(preferences, prices.get(model.id())));
        routes.forEach(route -> plan.add(new Candidate(model, route)));
    }

    private Comparator<Route> ranking(ProviderPreferences preferences, @Nullable PriceQuote catalogPrice) {
        Comparator<Route> byOrder = Comparator.comparingInt(route -> {
            int index = preferences.order().indexOf(route.provider());
            return index < 0 ? Integer.MAX_VALUE : index;
        });
        Comparator<Route> byHealth = Comparator.comparingInt(route -> health.rank(route.provider()));
        Comparator<Route> ranking = byOrder.thenComparing(byHealth);
        if (preferences.sort() != null) {
            ranking = ranking.thenComparing(sortBy(preferences.sort(), catalogPrice));
        }
        return ranking.thenComparingInt(Route::priority);
    }

    private Comparator<Route> sortBy(ProviderPreferences.Sort sort, @Nullable PriceQuote catalogPrice) {
        return switch (sort) {
            // A route without a host price of its own costs the catalog price.
            case PRICE -> Comparator.comparingLong(route -> {
                long input = route.inputPerMtok() != null ? route.inputPerMtok()
                        : catalogPrice != null ? catalogPrice.price().inputPerMtok() : Long.MAX_VALUE / 4;
                long output = route.outputPerMtok() != null ? route.outputPerMtok()
                        : catalogPrice != null ? catalogPrice.price().outputPerMtok() : Long.MAX_VALUE / 4;
                return input + output;
            });
            case LATENCY -> Comparator.comparingDouble(route -> orLast(health.latencyMillis(route.provider())));
            case THROUGHPUT -> Comparator.comparingDouble(route -> -orZero(health.tokensPerSecond(route.provider())));
        };
    }

    private static double orLast(double value) {
        return Double.isNaN(value) ? Double.MAX_VALUE : value;
    }

    /** Unobserved as no speed at all: such routes come last, as they do by latency. */
    private static double orZero(double value) {
        return Double.isNaN(value) ? 0 : value;
    }

}
