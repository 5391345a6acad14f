-- A tenant's billing plan over time: prepaid (the default, when it has no row) or postpaid (invoiced through Stripe
-- from metered usage). A change closes the open period and opens a new one, so "was this request postpaid" is a
-- question about the request's time, asked the same way by the meter and by reconciliation.

create table tenant_plan_period (
    id          bigint generated always as identity primary key,
    tenant_id   uuid        not null references tenant (id),
    plan        text        not null check (plan in ('prepaid', 'postpaid')),
    started_at  timestamptz not null default now(),
    ended_at    timestamptz,
    changed_by  text        not null,
    check (ended_at is null or ended_at >= started_at)
);

create unique index tenant_plan_period_open on tenant_plan_period (tenant_id) where ended_at is null;
create index tenant_plan_period_tenant_idx on tenant_plan_period (tenant_id, started_at);
