package dev.tollgate.proxy;

import java.math.BigDecimal;
import java.util.Collection;
import java.util.Map;
import java.util.UUID;

import org.jspecify.annotations.Nullable;
import org.springframework.http.MediaType;
import org.springframework.security.core.Authentication;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.publisher.Mono;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

import dev.tollgate.account.ApiKeyService;
import dev.tollgate.account.SessionUser;
import dev.tollgate.metering.PriceQuote;
import dev.tollgate.metering.PricingService;
import dev.tollgate.routing.CatalogModel;
import dev.tollgate.routing.ModelCatalog;

/**
 * {@code GET /v1/models}: the catalog in both OpenAI's list shape ({@code object}, {@code owned_by}) and OpenRouter's
 * ({@code name}, {@code context_length}, {@code pricing} in USD per token as strings). Prices are what the caller
 * pays: with a key, its tenant's markup; without one (the listing is public, as OpenRouter's is), the general markup.
 */
final class ModelsHandler {

    private final ApiKeyService keys;
    private final ModelCatalog catalog;
    private final PricingService pricing;
    private final JsonMapper json;

    ModelsHandler(ApiKeyService keys, ModelCatalog catalog, PricingService pricing, JsonMapper json) {
        this.keys = keys;
        this.catalog = catalog;
        this.pricing = pricing;
        this.json = json;
    }

    Mono<ServerResponse> list(ServerRequest request) {
        String presented = ApiKeyHeaders.presentedKey(request);
        Mono<UUID> tenant = presented == null ? Mono.empty()
                : keys.authenticate(presented).map(key -> key.tenantId());
        return pricedFor(tenant);
    }

    /**
     * {@code GET /api/models}: the same listing for the dashboard, priced for the signed-in user's tenant. The
     * dashboard called {@code /v1/models}, which knows no session, and showed a tenant with a markup of its own the
     * general prices.
     */
    Mono<ServerResponse> listForSession(ServerRequest request) {
        return pricedFor(request.principal()
            .map(principal -> ((SessionUser) ((Authentication) principal).getPrincipal()).tenantId()));
    }

    private Mono<ServerResponse> pricedFor(Mono<UUID> tenant) {
        return tenant.map(id -> new Caller(id)).defaultIfEmpty(new Caller(null))
            .flatMap(caller -> Mono.zip(catalog.all(), pricing.quotes(caller.tenantId())))
            .flatMap(both -> ServerResponse.ok().contentType(MediaType.APPLICATION_JSON)
                .bodyValue(json.writeValueAsBytes(listing(both.getT1(), both.getT2()))));
    }

    private ObjectNode listing(Collection<CatalogModel> models, Map<String, PriceQuote> quotes) {
        ObjectNode root = json.createObjectNode();
        root.put("object", "list");
        ArrayNode data = root.putArray("data");
        for (CatalogModel model : models) {
            ObjectNode entry = data.addObject();
            entry.put("id", model.id());
            entry.put("object", "model");
            entry.put("created", 0);
            entry.put("owned_by", model.provider());
            entry.put("name", model.name());
            entry.put("context_length", model.contextLength());
            PriceQuote quote = quotes.get(model.id());
            if (quote != null) {
                ObjectNode pricing = entry.putObject("pricing");
                pricing.put("prompt", text(quote.usdPerToken(quote.price().inputPerMtok())));
                pricing.put("completion", text(quote.usdPerToken(quote.price().outputPerMtok())));
                if (quote.price().cachedInputPerMtok() != null) {
                    pricing.put("input_cache_read", text(quote.usdPerToken(quote.price().cachedInputPerMtok())));
                }
                if (quote.price().cacheWritePerMtok() != null) {
                    pricing.put("input_cache_write", text(quote.usdPerToken(quote.price().cacheWritePerMtok())));
                }
                if (quote.price().audioInputPerMtok() != null) {
                    // OpenRouter's name for the price of an audio input token.
                    pricing.put("audio", text(quote.usdPerToken(quote.price().audioInputPerMtok())));
                }
                if (quote.price().audioOutputPerMtok() != null) {
                    // OpenRouter has no name for it: Tollgate's own, after "audio".
                    pricing.put("audio_output", text(quote.usdPerToken(quote.price().audioOutputPerMtok())));
                }
            }
            if (model.maxOutputTokens() != null) {
                entry.putObject("top_provider").put("max_completion_tokens", model.maxOutputTokens());
            }
        }
        return root;
    }

    private static String text(BigDecimal usd) {
        return usd.toPlainString();
    }

    private record Caller(@Nullable UUID tenantId) {
    }

}
