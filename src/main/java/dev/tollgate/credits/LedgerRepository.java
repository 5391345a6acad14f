package dev.tollgate.credits;

import java.time.OffsetDateTime;
import java.util.List;
import java.util.UUID;

import org.jspecify.annotations.Nullable;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Repository;
import org.springframework.transaction.ReactiveTransactionManager;
import org.springframework.transaction.reactive.TransactionalOperator;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import dev.tollgate.common.Keyset;
import dev.tollgate.common.ReadSnapshot;

/** The append-only ledger and the per-tenant running balance it keeps in step. */
@Repository
class LedgerRepository {

    private final DatabaseClient db;
    private final TransactionalOperator transaction;
    private final TransactionalOperator snapshot;

    LedgerRepository(DatabaseClient db, TransactionalOperator transaction, ReactiveTransactionManager transactions) {
        this.db = db;
        this.transaction = transaction;
        this.snapshot = ReadSnapshot.operator(transactions);
    }

    Mono<Void> createBalance(UUID tenantId) {
        return db.sql("insert into credit_balance (tenant_id) values (:tenant) on conflict do nothing")
            .bind("tenant", tenantId)
            .then();
    }

    /**
     * Appends a non-usage entry and moves the balance with it, in one transaction. An entry with an external
     * reference lands once per (kind, reference).
     * @return the entry's amount, or empty when this reference was already recorded
     */
    Mono<Long> append(UUID tenantId, String kind, long amountMicros, @Nullable String externalRef,
            @Nullable String description) {
        DatabaseClient.GenericExecuteSpec insert = db.sql("""
                with entry as (
                    insert into ledger_entry (tenant_id, kind, amount_micros, external_ref, description)
                    values (:tenant, :kind, :amount, :ref, :description)
                    on conflict (kind, external_ref) where external_ref is not null do nothing
                    returning tenant_id, amount_micros)
                update credit_balance b
                set balance_micros = b.balance_micros + entry.amount_micros,
                    credited_micros = b.credited_micros + entry.amount_micros,
                    updated_at = now()
                from entry where b.tenant_id = entry.tenant_id
                returning entry.amount_micros""")
            .bind("tenant", tenantId)
            .bind("kind", kind)
            .bind("amount", amountMicros);
        insert = externalRef == null ? insert.bindNull("ref", String.class) : insert.bind("ref", externalRef);
        insert = description == null ? insert.bindNull("description", String.class)
                : insert.bind("description", description);
        Mono<Long> appended = insert.map(row -> row.get(0, Long.class)).one();
        return createBalance(tenantId).then(appended).as(transaction::transactional);
    }

    /** The amount of the entry of this kind recorded under this external reference, or empty when there is none. */
    Mono<Long> recordedAmount(String kind, String externalRef) {
        return db.sql("select amount_micros from ledger_entry where kind = :kind and external_ref = :ref")
            .bind("kind", kind)
            .bind("ref", externalRef)
            .map(row -> row.get(0, Long.class))
            .one();
    }

    Mono<BalanceView> balance(UUID tenantId) {
        return db.sql("select balance_micros, credited_micros, used_micros from credit_balance where tenant_id = :t")
            .bind("t", tenantId)
            .map(row -> new BalanceView(row.get("balance_micros", Long.class), row.get("credited_micros", Long.class),
                    row.get("used_micros", Long.class)))
            .one()
            .defaultIfEmpty(new BalanceView(0, 0, 0));
    }

    /**
     * The balance, a page of entries and their count as of one moment: read in one repeatable-read transaction, so a
     * usage batch or top-up committing meanwhile shows in all three or in none.
     */
    Mono<Statement> statement(UUID tenantId, List<String> kinds, int page, int size, Keyset keyset) {
        return balance(tenantId)
            .flatMap(balance -> entries(tenantId, kinds, page, size, keyset).collectList()
                .flatMap(entries -> countEntries(tenantId, kinds)
                    .map(total -> new Statement(balance, keyset.newestFirst(entries), total))))
            .as(snapshot::transactional);
    }

    /** A page by offset, or next to a cursor (in the keyset's order: the previous page comes oldest first). */
    private Flux<LedgerEntryView> entries(UUID tenantId, List<String> kinds, int page, int size, Keyset keyset) {
        DatabaseClient.GenericExecuteSpec query = db.sql("""
                select id, kind, amount_micros, description, external_ref, request_id, created_at from ledger_entry
                where tenant_id = :tenant and kind = any(:kinds)""" + keyset.condition() + " order by "
                + keyset.order() + " limit :limit offset :offset")
            .bind("tenant", tenantId)
            .bind("kinds", kinds.toArray(String[]::new))
            .bind("limit", size)
            .bind("offset", keyset.byOffset() ? (long) page * size : 0L);
        return keyset.bind(query, Long::valueOf)
            .map(row -> new LedgerEntryView(row.get("id", Long.class), row.get("kind", String.class),
                    row.get("amount_micros", Long.class), row.get("description", String.class),
                    row.get("request_id", UUID.class), row.get("created_at", OffsetDateTime.class)))
            .all();
    }

    private Mono<Long> countEntries(UUID tenantId, List<String> kinds) {
        return db.sql("select count(*) from ledger_entry where tenant_id = :tenant and kind = any(:kinds)")
            .bind("tenant", tenantId)
            .bind("kinds", kinds.toArray(String[]::new))
            .map(row -> row.get(0, Long.class))
            .one();
    }

    Mono<Long> keySpend(UUID keyId) {
        return db.sql("select used_micros from key_spend where api_key_id = :key")
            .bind("key", keyId)
            .map(row -> row.get(0, Long.class))
            .one()
            .defaultIfEmpty(0L);
    }

    record BalanceView(long balanceMicros, long creditedMicros, long usedMicros) {
    }

    record Statement(BalanceView balance, List<LedgerEntryView> entries, long total) {
    }

    record LedgerEntryView(long id, String kind, long amountMicros, @Nullable String description,
            @Nullable UUID requestId, OffsetDateTime createdAt) {
    }

}
