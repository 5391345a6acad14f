package dev.tollgate.metering;

import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.UUID;

import org.springframework.r2dbc.core.DatabaseClient;

import dev.tollgate.common.PostgresText;

/**
 * The one statement that writes a batch of usage records: the request-log rows and their provider attempts, the usage
 * debits on the ledger, the tenants' balances, the credit leases the charges came from and the keys' spend. The batch
 * travels as one PostgreSQL array per column, unnested into rows; text from clients and providers is made storable
 * ({@link PostgresText}) on the way.
 */
final class UsageBatchStatement {

    private static final String SQL = """
            with input as (
                select * from unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::text[], $5::text[], $6::int[],
                    $7::text[], $8::text[], $9::bool[], $10::bool[], $11::text[], $12::int[], $13::int[], $14::int[],
                    $15::int[], $16::int[], $17::text[], $18::int[], $19::int[], $20::int[], $21::bigint[],
                    $22::bigint[], $23::bigint[], $24::bigint[], $25::uuid[], $26::timestamptz[], $35::text[], $36::int[])
                as t(id, tenant_id, api_key_id, model, provider, status, error_code, error_message, streamed,
                    cancelled, finish_reason, prompt_tokens, completion_tokens, cached_tokens, cache_write_tokens,
                    reasoning_tokens, usage_source, latency_ms, ttfb_ms, generation_ms, price_id, markup_ppm,
                    cost_micros, charge_micros, lease_id, created_at, trace_id, pii_redactions)),
            logged as (
                insert into request_log (id, tenant_id, api_key_id, model, provider, status, error_code,
                    error_message, streamed, cancelled, finish_reason, prompt_tokens, completion_tokens,
                    cached_tokens, cache_write_tokens, reasoning_tokens, usage_source, latency_ms, ttfb_ms,
                    generation_ms, price_id, markup_ppm, cost_micros, charge_micros, created_at, trace_id,
                    pii_redactions)
                select id, tenant_id, api_key_id, model, provider, status, error_code, error_message, streamed,
                    cancelled, finish_reason, prompt_tokens, completion_tokens, cached_tokens, cache_write_tokens,
                    reasoning_tokens, usage_source, latency_ms, ttfb_ms, generation_ms, price_id, markup_ppm,
                    cost_micros, charge_micros, created_at, trace_id, pii_redactions
                from input
                on conflict (id) do nothing
                returning id),
            charged as (
                insert into ledger_entry (tenant_id, kind, amount_micros, request_id, created_at)
                select i.tenant_id, 'usage', -i.charge_micros, i.id, i.created_at
                from input i join logged l on l.id = i.id
                where i.charge_micros > 0
                on conflict (request_id) do nothing
                returning tenant_id, request_id, -amount_micros as charge),
            per_tenant as (select tenant_id, sum(charge) as total from charged group by tenant_id),
            balances as (
                update credit_balance b
                set balance_micros = b.balance_micros - p.total, used_micros = b.used_micros + p.total,
                    updated_at = now()
                from per_tenant p where b.tenant_id = p.tenant_id
                returning b.tenant_id),
            per_lease as (
                select i.lease_id, sum(c.charge) as total from charged c join input i on i.id = c.request_id
                where i.lease_id is not null group by i.lease_id),
            leases as (
                update credit_lease l set amount_micros = l.amount_micros - p.total
                from per_lease p where l.id = p.lease_id
                returning l.id),
            per_key as (
                select i.api_key_id, i.tenant_id, sum(c.charge) as total
                from charged c join input i on i.id = c.request_id
                group by i.api_key_id, i.tenant_id),
            keys as (
                insert into key_spend (api_key_id, tenant_id, used_micros)
                select api_key_id, tenant_id, total from per_key
                on conflict (api_key_id) do update set used_micros = key_spend.used_micros + excluded.used_micros
                returning api_key_id),
            attempts as (
                insert into request_attempt (request_id, attempt, model, provider, key_index, status, error_code,
                    latency_ms)
                select * from unnest($27::uuid[], $28::int[], $29::text[], $30::text[], $31::int[], $32::int[],
                    $33::text[], $34::int[])
                on conflict do nothing
                returning request_id)
            select (select count(*) from logged) as logged, (select count(*) from balances) as balances""";

    private final UUID[] ids;
    private final UUID[] tenants;
    private final UUID[] keys;
    private final String[] models;
    private final String[] providers;
    private final Integer[] statuses;
    private final String[] errorCodes;
    private final String[] errorMessages;
    private final Boolean[] streamed;
    private final Boolean[] cancelled;
    private final String[] finishReasons;
    private final Integer[] prompt;
    private final Integer[] completion;
    private final Integer[] cached;
    private final Integer[] cacheWrite;
    private final Integer[] reasoning;
    private final String[] sources;
    private final Integer[] latency;
    private final Integer[] ttfb;
    private final Integer[] generation;
    private final Long[] priceIds;
    private final Long[] markups;
    private final Long[] costs;
    private final Long[] charges;
    private final UUID[] leases;
    private final OffsetDateTime[] created;
    private final String[] traceIds;
    private final Integer[] redactions;
    private final UUID[] attemptRequests;
    private final Integer[] attemptNumbers;
    private final String[] attemptModels;
    private final String[] attemptProviders;
    private final Integer[] attemptKeys;
    private final Integer[] attemptStatuses;
    private final String[] attemptErrors;
    private final Integer[] attemptLatencies;

    private UsageBatchStatement(int n, int attempts) {
        ids = new UUID[n];
        tenants = new UUID[n];
        keys = new UUID[n];
        models = new String[n];
        providers = new String[n];
        statuses = new Integer[n];
        errorCodes = new String[n];
        errorMessages = new String[n];
        streamed = new Boolean[n];
        cancelled = new Boolean[n];
        finishReasons = new String[n];
        prompt = new Integer[n];
        completion = new Integer[n];
        cached = new Integer[n];
        cacheWrite = new Integer[n];
        reasoning = new Integer[n];
        sources = new String[n];
        latency = new Integer[n];
        ttfb = new Integer[n];
        generation = new Integer[n];
        priceIds = new Long[n];
        markups = new Long[n];
        costs = new Long[n];
        charges = new Long[n];
        leases = new UUID[n];
        created = new OffsetDateTime[n];
        traceIds = new String[n];
        redactions = new Integer[n];
        attemptRequests = new UUID[attempts];
        attemptNumbers = new Integer[attempts];
        attemptModels = new String[attempts];
        attemptProviders = new String[attempts];
        attemptKeys = new Integer[attempts];
        attemptStatuses = new Integer[attempts];
        attemptErrors = new String[attempts];
        attemptLatencies = new Integer[attempts];
    }

    private void setAttempt(int i, UUID request, AttemptRecord attempt) {
        attemptRequests[i] = request;
        attemptNumbers[i] = attempt.number();
        attemptModels[i] = PostgresText.storable(attempt.model());
        attemptProviders[i] = PostgresText.storable(attempt.provider());
        attemptKeys[i] = attempt.keyIndex();
        attemptStatuses[i] = attempt.status();
        attemptErrors[i] = PostgresText.storable(attempt.errorCode());
        attemptLatencies[i] = attempt.latencyMillis();
    }

    private void set(int i, UsageRecord r) {
        ids[i] = r.id();
        tenants[i] = r.tenantId();
        keys[i] = r.apiKeyId();
        models[i] = PostgresText.storable(r.model());
        providers[i] = PostgresText.storable(r.provider());
        statuses[i] = r.status();
        errorCodes[i] = PostgresText.storable(r.errorCode());
        errorMessages[i] = PostgresText.storable(r.errorMessage());
        streamed[i] = r.streamed();
        cancelled[i] = r.cancelled();
        finishReasons[i] = PostgresText.storable(r.finishReason());
        boolean counted = r.usageSource() != UsageSource.NONE;
        prompt[i] = counted ? Math.toIntExact(r.usage().promptTokens()) : null;
        completion[i] = counted ? Math.toIntExact(r.usage().completionTokens()) : null;
        cached[i] = counted ? Math.toIntExact(r.usage().cachedTokens()) : null;
        cacheWrite[i] = counted ? Math.toIntExact(r.usage().cacheWriteTokens()) : null;
        reasoning[i] = counted ? Math.toIntExact(r.usage().reasoningTokens()) : null;
        sources[i] = r.usageSource().column();
        latency[i] = r.latencyMillis();
        ttfb[i] = r.ttfbMillis();
        generation[i] = r.generationMillis();
        priceIds[i] = r.priceId();
        markups[i] = r.markupPpm();
        costs[i] = r.costMicros();
        charges[i] = r.chargeMicros();
        leases[i] = r.leaseId();
        created[i] = r.createdAt().atOffset(ZoneOffset.UTC);
        traceIds[i] = PostgresText.storable(r.traceId());
        redactions[i] = r.piiRedactions();
    }

    /**
     * The batch's columns.
     *
     * @throws RuntimeException for a value no column takes (an {@code ArithmeticException} for a count beyond an int)
     */
    static UsageBatchStatement of(List<UsageRecord> batch) {
        int n = batch.size();
        UsageBatchStatement c = new UsageBatchStatement(n,
                batch.stream().mapToInt(record -> record.attempts().size()).sum());
        for (int i = 0, a = 0; i < n; i++) {
            c.set(i, batch.get(i));
            for (AttemptRecord attempt : batch.get(i).attempts()) {
                c.setAttempt(a++, batch.get(i).id(), attempt);
            }
        }
        return c;
    }

    DatabaseClient.GenericExecuteSpec bindTo(DatabaseClient db) {
        return db.sql(SQL)
            .bind(0, ids).bind(1, tenants).bind(2, keys).bind(3, models).bind(4, providers)
            .bind(5, statuses).bind(6, errorCodes).bind(7, errorMessages).bind(8, streamed)
            .bind(9, cancelled).bind(10, finishReasons).bind(11, prompt).bind(12, completion)
            .bind(13, cached).bind(14, cacheWrite).bind(15, reasoning).bind(16, sources)
            .bind(17, latency).bind(18, ttfb).bind(19, generation).bind(20, priceIds).bind(21, markups)
            .bind(22, costs).bind(23, charges).bind(24, leases).bind(25, created)
            .bind(26, attemptRequests).bind(27, attemptNumbers).bind(28, attemptModels)
            .bind(29, attemptProviders).bind(30, attemptKeys).bind(31, attemptStatuses)
            .bind(32, attemptErrors).bind(33, attemptLatencies).bind(34, traceIds).bind(35, redactions);
    }

}
