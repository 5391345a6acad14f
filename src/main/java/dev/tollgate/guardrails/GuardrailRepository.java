package dev.tollgate.guardrails;

import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Repository;
import reactor.core.publisher.Mono;

import dev.tollgate.database.DatabaseMigrations;

@Repository
class GuardrailRepository {

    private final DatabaseClient db;

    GuardrailRepository(DatabaseClient db, DatabaseMigrations migrated) {
        this.db = db;
    }

    /** Every tenant's guardrails; a tenant without a row has none. */
    Mono<Map<UUID, GuardrailPolicy>> findAll() {
        return db.sql("select tenant_id, pii, blocked_terms, screen_answers from tenant_guardrails")
            .map((row, meta) -> {
                String[] terms = row.get("blocked_terms", String[].class);
                return Map.entry(row.get("tenant_id", UUID.class),
                        GuardrailPolicy.of(PiiMode.parse(row.get("pii", String.class), "pii"),
                                terms == null ? List.of() : List.of(terms),
                                Boolean.TRUE.equals(row.get("screen_answers", Boolean.class))));
            })
            .all()
            .collectMap(Map.Entry::getKey, Map.Entry::getValue);
    }

    Mono<Void> save(UUID tenantId, GuardrailPolicy policy) {
        if (!policy.active()) {
            return db.sql("delete from tenant_guardrails where tenant_id = :tenant").bind("tenant", tenantId).then();
        }
        return db.sql("""
                insert into tenant_guardrails (tenant_id, pii, blocked_terms, screen_answers)
                values (:tenant, :pii, :terms, :answers)
                on conflict (tenant_id) do update set pii = excluded.pii, blocked_terms = excluded.blocked_terms,
                    screen_answers = excluded.screen_answers, updated_at = now()""")
            .bind("tenant", tenantId)
            .bind("pii", policy.pii().value())
            .bind("terms", policy.blockedTerms().toArray(String[]::new))
            .bind("answers", policy.screensAnswers())
            .then();
    }

}
