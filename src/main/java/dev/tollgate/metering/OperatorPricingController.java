package dev.tollgate.metering;

import java.math.BigDecimal;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

import org.jspecify.annotations.Nullable;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.http.HttpStatus;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.transaction.ReactiveTransactionManager;
import org.springframework.transaction.reactive.TransactionalOperator;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import dev.tollgate.common.ApiException;
import dev.tollgate.common.DateParams;
import dev.tollgate.common.Money;
import dev.tollgate.common.ReadSnapshot;

/**
 * The operator's view of money: provider prices and markups (each change is a new row with its effective time, so
 * past requests keep their price), and cost, revenue and margin over a period. Operator role only.
 */
@RestController
@RequestMapping("/api/operator")
class OperatorPricingController {

    private final DatabaseClient db;
    private final PricingService pricing;
    private final TransactionalOperator snapshot;

    OperatorPricingController(DatabaseClient db, PricingService pricing, ReactiveTransactionManager transactions) {
        this.db = db;
        this.pricing = pricing;
        this.snapshot = ReadSnapshot.operator(transactions);
    }

    @GetMapping("/prices")
    Flux<Map<String, Object>> prices(@RequestParam(required = false) @Nullable String modelId) {
        return db.sql("""
                select id, model_id, input_per_mtok_micros, output_per_mtok_micros, cached_input_per_mtok_micros,
                       cache_write_per_mtok_micros, reasoning_per_mtok_micros, audio_input_per_mtok_micros,
                       audio_output_per_mtok_micros, long_context_above_tokens, long_input_per_mtok_micros,
                       long_output_per_mtok_micros, effective_from
                from model_price order by model_id, effective_from desc""")
            .map((row, meta) -> {
                Map<String, Object> price = new LinkedHashMap<>();
                price.put("id", row.get("id", Long.class));
                price.put("modelId", row.get("model_id", String.class));
                price.put("inputPerMtokMicros", row.get("input_per_mtok_micros", Long.class));
                price.put("outputPerMtokMicros", row.get("output_per_mtok_micros", Long.class));
                price.put("cachedInputPerMtokMicros", row.get("cached_input_per_mtok_micros", Long.class));
                price.put("cacheWritePerMtokMicros", row.get("cache_write_per_mtok_micros", Long.class));
                price.put("reasoningPerMtokMicros", row.get("reasoning_per_mtok_micros", Long.class));
                price.put("audioInputPerMtokMicros", row.get("audio_input_per_mtok_micros", Long.class));
                price.put("audioOutputPerMtokMicros", row.get("audio_output_per_mtok_micros", Long.class));
                price.put("longContextAboveTokens", row.get("long_context_above_tokens", Long.class));
                price.put("longInputPerMtokMicros", row.get("long_input_per_mtok_micros", Long.class));
                price.put("longOutputPerMtokMicros", row.get("long_output_per_mtok_micros", Long.class));
                price.put("effectiveFrom", row.get("effective_from", OffsetDateTime.class));
                return price;
            })
            .all()
            .filter(price -> modelId == null || modelId.equals(price.get("modelId")));
    }

    /** Adds a price row for a model; it applies to requests admitted from {@code effectiveFrom} (default now). */
    @PostMapping("/prices")
    @ResponseStatus(HttpStatus.CREATED)
    Mono<Map<String, Object>> addPrice(@RequestBody NewPrice request) {
        if (request.modelId() == null || request.inputPerMtokUsd() == null || request.outputPerMtokUsd() == null) {
            throw ApiException.invalidRequest("modelId, inputPerMtokUsd and outputPerMtokUsd are required.");
        }
        DatabaseClient.GenericExecuteSpec insert = db.sql("""
                insert into model_price (model_id, input_per_mtok_micros, output_per_mtok_micros,
                    cached_input_per_mtok_micros, cache_write_per_mtok_micros, reasoning_per_mtok_micros,
                    audio_input_per_mtok_micros, audio_output_per_mtok_micros, long_context_above_tokens,
                    long_input_per_mtok_micros, long_output_per_mtok_micros, effective_from)
                values (:model, :input, :output, :cached, :cacheWrite, :reasoning, :audio, :audioOutput, :longAbove,
                    :longInput, :longOutput, :from)
                returning id""")
            .bind("model", request.modelId())
            .bind("input", perMtokMicros(request.inputPerMtokUsd(), "inputPerMtokUsd"))
            .bind("output", perMtokMicros(request.outputPerMtokUsd(), "outputPerMtokUsd"))
            .bind("from", request.effectiveFrom() != null ? request.effectiveFrom() : OffsetDateTime.now(ZoneOffset.UTC));
        insert = bindOptional(insert, "cached", request.cachedInputPerMtokUsd(), "cachedInputPerMtokUsd");
        insert = bindOptional(insert, "cacheWrite", request.cacheWritePerMtokUsd(), "cacheWritePerMtokUsd");
        insert = bindOptional(insert, "reasoning", request.reasoningPerMtokUsd(), "reasoningPerMtokUsd");
        insert = bindOptional(insert, "audio", request.audioInputPerMtokUsd(), "audioInputPerMtokUsd");
        insert = bindOptional(insert, "audioOutput", request.audioOutputPerMtokUsd(), "audioOutputPerMtokUsd");
        boolean longContext = request.longContextAboveTokens() != null;
        if (longContext != (request.longInputPerMtokUsd() != null)
                || longContext != (request.longOutputPerMtokUsd() != null)
                || (longContext && request.longContextAboveTokens() <= 0)) {
            throw ApiException.invalidParam("longContextAboveTokens", "longContextAboveTokens (above 0),"
                    + " longInputPerMtokUsd and longOutputPerMtokUsd come together or not at all.");
        }
        insert = longContext ? insert.bind("longAbove", request.longContextAboveTokens())
                : insert.bindNull("longAbove", Long.class);
        insert = bindOptional(insert, "longInput", request.longInputPerMtokUsd(), "longInputPerMtokUsd");
        insert = bindOptional(insert, "longOutput", request.longOutputPerMtokUsd(), "longOutputPerMtokUsd");
        return insert.map((row, meta) -> row.get("id", Long.class)).one()
            .onErrorMap(DataIntegrityViolationException.class, ex -> ApiException.notFound("Model " + request.modelId()
                    + " (or a price with this effective time already exists)"))
            .flatMap(id -> pricing.reload().thenReturn(Map.<String, Object>of("id", id, "modelId", request.modelId())));
    }

    @GetMapping("/markups")
    Flux<Map<String, Object>> markups() {
        return db.sql("""
                select id, tenant_id, model_id, markup_ppm, effective_from from markup_rule
                order by effective_from desc, id desc""")
            .map((row, meta) -> {
                Map<String, Object> rule = new LinkedHashMap<>();
                rule.put("id", row.get("id", Long.class));
                rule.put("tenantId", row.get("tenant_id", UUID.class));
                rule.put("modelId", row.get("model_id", String.class));
                rule.put("markup", BigDecimal.valueOf(row.get("markup_ppm", Long.class), 6).stripTrailingZeros());
                rule.put("effectiveFrom", row.get("effective_from", OffsetDateTime.class));
                return rule;
            })
            .all();
    }

    /**
     * Sets the markup for everyone (no tenant, no model), a model, a tenant (a plan or negotiated rate), or a tenant
     * on one model; {@code markup} is a fraction, e.g. {@code 0.05} for 5 %.
     */
    @PostMapping("/markups")
    @ResponseStatus(HttpStatus.CREATED)
    Mono<Map<String, Object>> addMarkup(@RequestBody NewMarkup request) {
        if (request.markup() == null) {
            throw ApiException.invalidParam("markup", "markup is required, e.g. 0.05 for 5 %.");
        }
        long ppm = MarkupRules.ppm(request.markup(), message -> ApiException.invalidParam("markup", message));
        DatabaseClient.GenericExecuteSpec insert = db.sql("""
                insert into markup_rule (tenant_id, model_id, markup_ppm, effective_from)
                values (:tenant, :model, :ppm, :from) returning id""")
            .bind("ppm", ppm)
            .bind("from", request.effectiveFrom() != null ? request.effectiveFrom() : OffsetDateTime.now(ZoneOffset.UTC));
        insert = request.tenantId() == null ? insert.bindNull("tenant", UUID.class)
                : insert.bind("tenant", request.tenantId());
        insert = request.modelId() == null ? insert.bindNull("model", String.class)
                : insert.bind("model", request.modelId());
        return insert.map((row, meta) -> row.get("id", Long.class)).one()
            .onErrorMap(DataIntegrityViolationException.class, ex -> ApiException.notFound("Tenant or model"))
            .flatMap(id -> pricing.reload().thenReturn(Map.<String, Object>of("id", id, "markupPpm", ppm)));
    }

    /** Cost (what providers charge), revenue (what tenants paid) and margin, in total and by model and tenant. */
    @GetMapping("/summary")
    Mono<Map<String, Object>> summary(@RequestParam(required = false) @Nullable String from,
            @RequestParam(required = false) @Nullable String to) {
        // At most the year /api/usage allows: each read aggregates every tenant's calls in the period.
        DateParams.Window window = DateParams.window(from, to, UsageController.LONGEST_PERIOD);
        OffsetDateTime start = window.from();
        OffsetDateTime end = window.to();
        // One snapshot, one connection: the totals and the two breakdowns add up to the same calls.
        return Mono.zip(totals(start, end, null).next(), totals(start, end, "model").collectList(),
                totals(start, end, "tenant_id").collectList())
            .as(snapshot::transactional)
            .map(all -> {
                Map<String, Object> body = new LinkedHashMap<>();
                body.put("from", start);
                body.put("to", end);
                body.put("totals", all.getT1());
                body.put("byModel", all.getT2());
                body.put("byTenant", all.getT3());
                return body;
            });
    }

    private Flux<Map<String, Object>> totals(OffsetDateTime from, OffsetDateTime to, @Nullable String column) {
        String group = column == null ? "" : column + " as grouped, ";
        String groupBy = column == null ? "" : " group by " + column + " order by sum(charge_micros) desc";
        return db.sql("select " + group + """
                count(*) as requests, coalesce(sum(cost_micros), 0) as cost, coalesce(sum(charge_micros), 0) as revenue
                from request_log where created_at >= :from and created_at < :to""" + groupBy)
            .bind("from", from)
            .bind("to", to)
            .map((row, meta) -> {
                Map<String, Object> values = new LinkedHashMap<>();
                if (column != null) {
                    values.put(column.equals("model") ? "model" : "tenantId", String.valueOf(row.get("grouped")));
                }
                long cost = row.get("cost", Long.class);
                long revenue = row.get("revenue", Long.class);
                values.put("requests", row.get("requests", Long.class));
                values.put("costMicros", cost);
                values.put("revenueMicros", revenue);
                values.put("marginMicros", revenue - cost);
                return values;
            })
            .all();
    }

    /** A price per million tokens in micro-dollars, refused above {@link ModelPrice#MAX_PER_MTOK}. */
    private static long perMtokMicros(BigDecimal usd, String param) {
        long micros = Money.usdToMicros(usd, param);
        if (micros > ModelPrice.MAX_PER_MTOK) {
            throw ApiException.invalidParam(param, param + " may be at most "
                    + Money.microsToUsd(ModelPrice.MAX_PER_MTOK) + " (USD per million tokens).");
        }
        return micros;
    }

    private static DatabaseClient.GenericExecuteSpec bindOptional(DatabaseClient.GenericExecuteSpec spec, String name,
            @Nullable BigDecimal usd, String param) {
        return usd == null ? spec.bindNull(name, Long.class) : spec.bind(name, perMtokMicros(usd, param));
    }

    record NewPrice(@Nullable String modelId, @Nullable BigDecimal inputPerMtokUsd,
            @Nullable BigDecimal outputPerMtokUsd, @Nullable BigDecimal cachedInputPerMtokUsd,
            @Nullable BigDecimal cacheWritePerMtokUsd, @Nullable BigDecimal reasoningPerMtokUsd,
            @Nullable BigDecimal audioInputPerMtokUsd, @Nullable BigDecimal audioOutputPerMtokUsd,
            @Nullable Long longContextAboveTokens,
            @Nullable BigDecimal longInputPerMtokUsd, @Nullable BigDecimal longOutputPerMtokUsd,
            @Nullable OffsetDateTime effectiveFrom) {
    }

    record NewMarkup(@Nullable UUID tenantId, @Nullable String modelId, @Nullable BigDecimal markup,
            @Nullable OffsetDateTime effectiveFrom) {
    }

}
