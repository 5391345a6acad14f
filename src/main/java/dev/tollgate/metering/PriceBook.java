package dev.tollgate.metering;

import java.time.Clock;
import java.time.OffsetDateTime;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import org.jspecify.annotations.Nullable;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Service;
import reactor.core.publisher.Mono;

import dev.tollgate.common.RefreshingSnapshot;
import dev.tollgate.database.DatabaseMigrations;

/**
 * The provider prices in force now, by model, held in memory and re-read every few seconds. A request captures
 * the price row in force when it is admitted, so a later change never alters its cost.
 */
@Service
class PriceBook {

    private final DatabaseClient db;
    private final RefreshingSnapshot<Map<String, ModelPrice>> prices;
    private final NextEffectiveReload nextPrice;

    PriceBook(DatabaseClient db, DatabaseMigrations migrated, Clock clock) {
        this.db = db;
        this.prices = new RefreshingSnapshot<>("model prices", this::load);
        this.nextPrice = new NextEffectiveReload(db, "model_price", prices::refresh, clock);
    }

    /** The prices in force now, by model id, put to this function (at once when they are loaded: see the snapshot). */
    <R> Mono<R> map(Function<Map<String, ModelPrice>, R> function) {
        return prices.map(function);
    }

    Mono<Map<String, ModelPrice>> reload() {
        return prices.reload();
    }

    @Scheduled(fixedDelayString = "${tollgate.catalog.refresh-interval:10s}")
    void refresh() {
        prices.refresh();
    }

    private Mono<Map<String, ModelPrice>> load() {
        return db.sql("""
                select distinct on (model_id) id, model_id, input_per_mtok_micros, output_per_mtok_micros,
                       cached_input_per_mtok_micros, cache_write_per_mtok_micros, reasoning_per_mtok_micros,
                       audio_input_per_mtok_micros, audio_output_per_mtok_micros, long_context_above_tokens,
                       long_input_per_mtok_micros, long_output_per_mtok_micros, effective_from
                from model_price where effective_from <= now()
                order by model_id, effective_from desc""")
            .map((row, meta) -> new ModelPrice(row.get("id", Long.class), row.get("model_id", String.class),
                    row.get("input_per_mtok_micros", Long.class), row.get("output_per_mtok_micros", Long.class),
                    row.get("cached_input_per_mtok_micros", Long.class), row.get("cache_write_per_mtok_micros", Long.class),
                    row.get("reasoning_per_mtok_micros", Long.class), row.get("audio_input_per_mtok_micros", Long.class),
                    row.get("audio_output_per_mtok_micros", Long.class),
                    longContext(row.get("long_context_above_tokens", Long.class),
                            row.get("long_input_per_mtok_micros", Long.class),
                            row.get("long_output_per_mtok_micros", Long.class)),
                    row.get("effective_from", OffsetDateTime.class)))
            .all()
            .collectList()
            .map(PriceBook::byModel)
            .flatMap(prices -> nextPrice.scheduleNext().thenReturn(prices));
    }

    /** The long-context tier when all three of its columns are set (the table's check has them set together). */
    private static ModelPrice.@Nullable LongContext longContext(@Nullable Long above, @Nullable Long input,
            @Nullable Long output) {
        return above == null || input == null || output == null ? null
                : new ModelPrice.LongContext(above, input, output);
    }

    private static Map<String, ModelPrice> byModel(List<ModelPrice> prices) {
        Map<String, ModelPrice> map = new HashMap<>();
        prices.forEach(price -> map.put(price.modelId(), price));
        return Map.copyOf(map);
    }

}
