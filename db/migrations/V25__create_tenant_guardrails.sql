-- A tenant's guardrails on its prompts (dashboard: /api/guardrails). A tenant without a row has none: its prompts go
-- to the provider as written.
create table tenant_guardrails (
    tenant_id      uuid        primary key references tenant (id),
    pii            text        not null check (pii in ('off', 'redact', 'block')),
    blocked_terms  text[]      not null default '{}',
    updated_at     timestamptz not null default now()
);

-- How many pieces of personal data the guardrails replaced in a call's prompt before any provider saw it.
alter table request_log add column pii_redactions integer not null default 0;
