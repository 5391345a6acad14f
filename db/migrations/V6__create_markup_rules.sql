-- The operator's markup on provider cost, in parts per million (50000 = 5 %). The most specific rule in force wins:
-- tenant + model, then tenant, then model, then a global rule; with no rule, tollgate.pricing.default-markup applies.
-- Rules are never updated: a new row with a later effective_from replaces an old one, keeping the history.
create table markup_rule (
    id              bigint generated always as identity primary key,
    tenant_id       uuid        references tenant (id),
    model_id        text        references model (id),
    markup_ppm      bigint      not null check (markup_ppm >= -1000000),
    effective_from  timestamptz not null default now(),
    created_at      timestamptz not null default now()
);

create index markup_rule_scope_idx on markup_rule (tenant_id, model_id, effective_from desc);
