package dev.tollgate.metering;

import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import io.r2dbc.spi.Row;
import org.jspecify.annotations.Nullable;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Repository;
import org.springframework.transaction.ReactiveTransactionManager;
import org.springframework.transaction.reactive.TransactionalOperator;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import dev.tollgate.common.Keyset;
import dev.tollgate.common.ReadSnapshot;

/** Reads of the request log for one tenant: the activity list, one generation, and usage aggregates. */
@Repository
class RequestLogQueries {

    private static final String ITEM_COLUMNS = """
            id, created_at, model, provider, api_key_id, status, streamed, cancelled, finish_reason, prompt_tokens,
            completion_tokens, cached_tokens, reasoning_tokens, charge_micros, latency_ms, ttfb_ms, generation_ms,
            error_code, error_message, usage_source, pii_redactions""";

    private final DatabaseClient db;
    private final TransactionalOperator snapshot;

    RequestLogQueries(DatabaseClient db, ReactiveTransactionManager transactions) {
        this.db = db;
        this.snapshot = ReadSnapshot.operator(transactions);
    }

    /**
     * A page of the log and the count of all the rows the filter matches, as of one moment: read apart, a batch written
     * between the two made the total disagree with the pages.
     */
    Mono<Page> pageAndCount(UUID tenantId, ActivityFilter filter, int page, int size, Keyset keyset) {
        return page(tenantId, filter, page, size, keyset).collectList()
            .flatMap(items -> count(tenantId, filter).map(total -> new Page(keyset.newestFirst(items), total)))
            .as(snapshot::transactional);
    }

    /** Usage rows by the groupings and their totals, as of one moment (see {@link #pageAndCount}). */
    Mono<UsageReport> usageReport(UUID tenantId, OffsetDateTime from, OffsetDateTime to, List<UsageGrouping> groups,
            ZoneId zone) {
        return usage(tenantId, from, to, groups, zone).collectList()
            .flatMap(rows -> usage(tenantId, from, to, List.of(), zone).next().map(totals -> new UsageReport(rows,
                    totals)))
            .as(snapshot::transactional);
    }

    record Page(List<ActivityItem> items, long total) {
    }

    record UsageReport(List<Map<String, Object>> rows, Map<String, Object> totals) {
    }

    /** A page by offset, or next to a cursor (in the keyset's order: the previous page comes oldest first). */
    private Flux<ActivityItem> page(UUID tenantId, ActivityFilter filter, int page, int size, Keyset keyset) {
        Filter where = where(tenantId, filter);
        DatabaseClient.GenericExecuteSpec query = db.sql("select " + ITEM_COLUMNS + " from request_log where "
                + where.sql() + keyset.condition() + " order by " + keyset.order() + " limit :limit offset :offset")
            .bind("limit", size)
            .bind("offset", keyset.byOffset() ? (long) page * size : 0L);
        for (Map.Entry<String, Object> bind : where.binds().entrySet()) {
            query = query.bind(bind.getKey(), bind.getValue());
        }
        return keyset.bind(query, RequestLogQueries::generationId).map((row, meta) -> item(row)).all();
    }

    private static UUID generationId(String cursorId) {
        UUID id = GenerationIds.parse(cursorId);
        if (id == null) {
            throw new IllegalArgumentException("Not a generation id: " + cursorId);
        }
        return id;
    }

    Mono<Long> count(UUID tenantId, ActivityFilter filter) {
        Filter where = where(tenantId, filter);
        DatabaseClient.GenericExecuteSpec query = db.sql("select count(*) from request_log where " + where.sql());
        for (Map.Entry<String, Object> bind : where.binds().entrySet()) {
            query = query.bind(bind.getKey(), bind.getValue());
        }
        return query.map((row, meta) -> row.get(0, Long.class)).one();
    }

    Mono<ActivityItem> one(UUID tenantId, UUID id) {
        return db.sql("select " + ITEM_COLUMNS + " from request_log where id = :id and tenant_id = :tenant")
            .bind("id", id)
            .bind("tenant", tenantId)
            .map((row, meta) -> item(row))
            .one();
    }

    /** Requests, tokens and spend between two instants, grouped by any of day (in {@code zone}), model and key. */
    Flux<Map<String, Object>> usage(UUID tenantId, OffsetDateTime from, OffsetDateTime to, List<UsageGrouping> groups,
            ZoneId zone) {
        List<String> columns = new ArrayList<>();
        groups.forEach(group -> columns.add(group.expression() + " as " + group.alias()));
        String select = String.join(", ", columns);
        String groupBy = columns.isEmpty() ? "" : " group by " + String.join(", ",
                groups.stream().map(UsageGrouping::alias).toList()) + " order by " + String.join(", ",
                groups.stream().map(UsageGrouping::alias).toList());
        String sql = "select " + (select.isEmpty() ? "" : select + ", ") + """
                count(*) as requests, coalesce(sum(prompt_tokens), 0) as prompt_tokens,
                coalesce(sum(completion_tokens), 0) as completion_tokens, coalesce(sum(charge_micros), 0) as cost
                from request_log where tenant_id = :tenant and created_at >= :from and created_at < :to""" + groupBy;
        DatabaseClient.GenericExecuteSpec query = db.sql(sql)
            .bind("tenant", tenantId)
            .bind("from", from)
            .bind("to", to);
        if (groups.contains(UsageGrouping.DAY)) {
            query = query.bind("tz", zone.getId());
        }
        return query
            .map((row, meta) -> {
                Map<String, Object> values = new LinkedHashMap<>();
                for (UsageGrouping group : groups) {
                    Object value = row.get(group.alias(), group.type());
                    values.put(group.field(), value == null ? null : value.toString());
                }
                values.put("requests", row.get("requests", Long.class));
                values.put("promptTokens", row.get("prompt_tokens", Long.class));
                values.put("completionTokens", row.get("completion_tokens", Long.class));
                values.put("costMicros", row.get("cost", Long.class));
                return values;
            })
            .all();
    }

    private static Filter where(UUID tenantId, ActivityFilter filter) {
        StringBuilder sql = new StringBuilder("tenant_id = :tenant");
        Map<String, Object> binds = new LinkedHashMap<>();
        binds.put("tenant", tenantId);
        if (filter.model() != null) {
            sql.append(" and model = :model");
            binds.put("model", filter.model());
        }
        if (filter.keyId() != null) {
            sql.append(" and api_key_id = :key");
            binds.put("key", filter.keyId());
        }
        if (filter.status() != null) {
            sql.append(" and status = :status");
            binds.put("status", filter.status());
        }
        if (filter.failed()) {
            // Failed before an answer, or broke or was cut after its first byte.
            sql.append(" and (status >= 400 or error_code is not null)");
        }
        return new Filter(sql.toString(), binds);
    }

    private static ActivityItem item(Row row) {
        return new ActivityItem(GenerationIds.format(row.get("id", UUID.class)),
                row.get("created_at", OffsetDateTime.class), row.get("model", String.class),
                row.get("provider", String.class), row.get("api_key_id", UUID.class), null,
                row.get("status", Integer.class), row.get("streamed", Boolean.class),
                row.get("cancelled", Boolean.class), row.get("finish_reason", String.class),
                row.get("prompt_tokens", Integer.class), row.get("completion_tokens", Integer.class),
                row.get("cached_tokens", Integer.class), row.get("reasoning_tokens", Integer.class),
                row.get("charge_micros", Long.class), row.get("latency_ms", Integer.class),
                row.get("ttfb_ms", Integer.class), row.get("generation_ms", Integer.class),
                row.get("error_code", String.class), row.get("error_message", String.class),
                row.get("usage_source", String.class), row.get("pii_redactions", Integer.class));
    }

    /** Optional filters of the activity list. */
    record ActivityFilter(@Nullable String model, @Nullable UUID keyId, @Nullable Integer status, boolean failed) {
    }

    private record Filter(String sql, Map<String, Object> binds) {
    }

}
