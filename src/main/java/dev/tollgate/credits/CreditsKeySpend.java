package dev.tollgate.credits;

import java.util.Map;
import java.util.UUID;

import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;

import dev.tollgate.account.KeySpend;

@Component
class CreditsKeySpend implements KeySpend {

    private final DatabaseClient db;

    CreditsKeySpend(DatabaseClient db) {
        this.db = db;
    }

    @Override
    public Mono<Map<UUID, Long>> spentByKey(UUID tenantId) {
        return db.sql("""
                select api_key_id, used_micros from key_spend where tenant_id = :tenant""")
            .bind("tenant", tenantId)
            .map(row -> Map.entry(row.get("api_key_id", UUID.class), row.get("used_micros", Long.class)))
            .all()
            .collectMap(Map.Entry::getKey, Map.Entry::getValue);
    }

}
