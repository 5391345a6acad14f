-- The operator's choice of rate limits for a tenant: a plan named in tollgate.ratelimit.plans, or explicit limits
-- (null = no limit of that kind). A tenant without a row is on tollgate.ratelimit.default-plan.
create table tenant_rate_limit (
    tenant_id            uuid        primary key references tenant (id),
    plan                 text,
    requests_per_minute  bigint      check (requests_per_minute is null or requests_per_minute > 0),
    tokens_per_minute    bigint      check (tokens_per_minute is null or tokens_per_minute > 0),
    updated_at           timestamptz not null default now(),
    check (plan is null or (requests_per_minute is null and tokens_per_minute is null))
);
