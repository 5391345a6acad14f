-- A key's own rate limits, set by its tenant: requests and tokens per minute (per tollgate.ratelimit.window).
-- Null means no limit of that kind on the key itself; the tenant's limits still apply.
alter table api_key
    add column requests_per_minute bigint check (requests_per_minute is null or requests_per_minute > 0),
    add column tokens_per_minute   bigint check (tokens_per_minute is null or tokens_per_minute > 0);
