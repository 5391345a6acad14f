package dev.tollgate.proxy;

import java.math.BigDecimal;
import java.util.Map;

import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.publisher.Mono;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

import dev.tollgate.metering.ModelPrice;
import dev.tollgate.metering.PriceBook;
import dev.tollgate.routing.CatalogModel;
import dev.tollgate.routing.ModelCatalog;

/**
 * {@code GET /v1/models}: the catalog in both OpenAI's list shape ({@code object}, {@code owned_by}) and OpenRouter's
 * ({@code name}, {@code context_length}, {@code pricing} in USD per token as strings).
 */
final class ModelsHandler {

    private final ModelCatalog catalog;
    private final PriceBook prices;
    private final JsonMapper json;

    ModelsHandler(ModelCatalog catalog, PriceBook prices, JsonMapper json) {
        this.catalog = catalog;
        this.prices = prices;
        this.json = json;
    }

    Mono<ServerResponse> list(ServerRequest request) {
        return Mono.zip(catalog.all(), prices.all()).flatMap(both -> {
            ObjectNode root = json.createObjectNode();
            root.put("object", "list");
            ArrayNode data = root.putArray("data");
            Map<String, ModelPrice> priceByModel = both.getT2();
            for (CatalogModel model : both.getT1()) {
                ObjectNode entry = data.addObject();
                entry.put("id", model.id());
                entry.put("object", "model");
                entry.put("created", 0);
                entry.put("owned_by", model.provider());
                entry.put("name", model.name());
                entry.put("context_length", model.contextLength());
                ModelPrice price = priceByModel.get(model.id());
                if (price != null) {
                    ObjectNode pricing = entry.putObject("pricing");
                    pricing.put("prompt", perToken(price.inputPerMtok()));
                    pricing.put("completion", perToken(price.outputPerMtok()));
                    if (price.cachedInputPerMtok() != null) {
                        pricing.put("input_cache_read", perToken(price.cachedInputPerMtok()));
                    }
                    if (price.cacheWritePerMtok() != null) {
                        pricing.put("input_cache_write", perToken(price.cacheWritePerMtok()));
                    }
                }
                if (model.maxOutputTokens() != null) {
                    entry.putObject("top_provider").put("max_completion_tokens", model.maxOutputTokens());
                }
            }
            return ServerResponse.ok().contentType(MediaType.APPLICATION_JSON).bodyValue(json.writeValueAsBytes(root));
        });
    }

    /** Micro-dollars per million tokens as USD per token: 150000 → "0.00000015". */
    static String perToken(long microsPerMtok) {
        return BigDecimal.valueOf(microsPerMtok, 12).stripTrailingZeros().toPlainString();
    }

}
