package dev.tollgate.testsupport;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.springframework.r2dbc.core.DatabaseClient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The money invariants, checked over the whole database after a scenario: every balance equals the sum of its
 * tenant's ledger; every request's charge in the log is exactly one usage debit; every key's spend is the sum of its
 * requests' charges.
 */
public final class LedgerInvariant {

    private final DatabaseClient db;

    public LedgerInvariant(DatabaseClient db) {
        this.db = db;
    }

    public void holds() {
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100)).untilAsserted(() -> {
            assertThat(rows("""
                    select b.tenant_id, b.balance_micros, coalesce(sum(l.amount_micros), 0) as ledger
                    from credit_balance b left join ledger_entry l on l.tenant_id = b.tenant_id
                    group by b.tenant_id, b.balance_micros
                    having b.balance_micros <> coalesce(sum(l.amount_micros), 0)"""))
                .as("balances that differ from the sum of their ledger").isEmpty();
            assertThat(rows("""
                    select r.id from request_log r left join ledger_entry l on l.request_id = r.id
                    where (r.charge_micros > 0 and (l.id is null or l.amount_micros <> -r.charge_micros))
                       or (r.charge_micros = 0 and l.id is not null)"""))
                .as("requests whose charge is not exactly one usage debit").isEmpty();
            assertThat(rows("""
                    select s.api_key_id from key_spend s
                    where s.used_micros <> (select coalesce(sum(charge_micros), 0) from request_log r
                                            where r.api_key_id = s.api_key_id)"""))
                .as("keys whose spend differs from their requests' charges").isEmpty();
        });
    }

    private List<Map<String, Object>> rows(String sql) {
        return db.sql(sql).fetch().all().collectList().block(Duration.ofSeconds(10));
    }

}
