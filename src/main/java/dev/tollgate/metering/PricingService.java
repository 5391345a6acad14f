package dev.tollgate.metering;

import java.time.Clock;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

import org.jspecify.annotations.Nullable;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Service;
import reactor.core.publisher.Mono;

import dev.tollgate.common.ApiException;
import dev.tollgate.common.RefreshingSnapshot;
import dev.tollgate.database.ClusterEvents;
import dev.tollgate.database.DatabaseMigrations;

/**
 * Prices as a tenant sees them: the provider price in force plus the markup that applies to this tenant and model.
 * Both come from in-memory snapshots refreshed every few seconds, so quoting a request does no I/O.
 */
@Service
public class PricingService {

    private static final String PRICES_CHANGED = "prices-changed";

    private final PriceBook prices;
    private final ClusterEvents events;
    private final RefreshingSnapshot<MarkupRules> markups;

    PricingService(PriceBook prices, DatabaseClient db, PricingProperties properties, ClusterEvents events,
            DatabaseMigrations migrated, Clock clock) {
        this.prices = prices;
        this.events = events;
        NextEffectiveReload nextMarkup = new NextEffectiveReload(db, "markup_rule", this::refreshMarkups, clock);
        this.markups = new RefreshingSnapshot<>("markup rules", () -> db.sql("""
                select distinct on (tenant_id, model_id) tenant_id, model_id, markup_ppm
                from markup_rule where effective_from <= now()
                order by tenant_id, model_id, effective_from desc, id desc""")
            .map((row, meta) -> new MarkupRules.MarkupRule(row.get("tenant_id", UUID.class),
                    row.get("model_id", String.class), row.get("markup_ppm", Long.class)))
            .all()
            .collectList()
            .map(rules -> new MarkupRules(rules, properties.defaultMarkupPpm()))
            .flatMap(rules -> nextMarkup.scheduleNext().thenReturn(rules)));
        // The operator changed a price or markup on some instance: every instance applies it at once.
        events.on(PRICES_CHANGED, ignored -> {
            prices.refresh();
            markups.refresh();
        });
    }

    private void refreshMarkups() {
        markups.refresh();
    }

    /**
     * The quote for one request of this tenant to this model.
     * @return the quote, or an error 503 when the model has no price (it cannot be billed, so it is not served)
     */
    public Mono<PriceQuote> quote(UUID tenantId, String modelId) {
        return markups.flatMap(rules -> prices.map(all -> {
            ModelPrice price = all.get(modelId);
            if (price == null) {
                throw ApiException.noProvider("Model " + modelId + " has no price configured yet.");
            }
            return new PriceQuote(price, rules.markupPpm(tenantId, modelId));
        }));
    }

    /** Every priced model with the markup a tenant (or, when null, anyone) pays. */
    public Mono<Map<String, PriceQuote>> quotes(@Nullable UUID tenantId) {
        return markups.flatMap(rules -> prices.map(all -> {
            Map<String, PriceQuote> quotes = new HashMap<>();
            all.forEach((model, price) -> quotes.put(model, new PriceQuote(price,
                    tenantId == null ? rules.markupPpm(model) : rules.markupPpm(tenantId, model))));
            return quotes;
        }));
    }

    /** Re-reads prices and markups now, here and (through a cluster event) on every other instance. */
    public Mono<Void> reload() {
        return prices.reload().then(markups.reload())
            .then(events.publish(PRICES_CHANGED, "").onErrorResume(error -> Mono.empty()));
    }

    @Scheduled(fixedDelayString = "${tollgate.catalog.refresh-interval:10s}")
    void refresh() {
        markups.refresh();
    }

}
