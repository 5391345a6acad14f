-- Usage-based billing of postpaid tenants through Stripe Billing Meters.
--
-- meter_usage is an outbox: the usage debit of a postpaid tenant's request is copied into it by a trigger, in the
-- same transaction that writes the debit, so no charge can be written without being queued for Stripe, nor queued
-- twice (the request id is its key). The reporter groups queued usage into meter_report rows (one meter event each,
-- with a fixed identifier, so a retry is never counted twice by Stripe) and sends them, retrying with backoff.

create sequence meter_report_id_seq;

create table meter_report (
    id               bigint      primary key default nextval('meter_report_id_seq'),
    tenant_id        uuid        not null references tenant (id),
    identifier       text        not null unique,
    value_micros     bigint      not null check (value_micros > 0),
    event_time       timestamptz not null,          -- the meter event's timestamp: the last request it covers
    status           text        not null default 'pending' check (status in ('pending', 'sent')),
    attempts         integer     not null default 0,
    next_attempt_at  timestamptz not null default now(),
    last_error       text,
    created_at       timestamptz not null default now(),
    sent_at          timestamptz
);

alter sequence meter_report_id_seq owned by meter_report.id;

create index meter_report_due_idx on meter_report (next_attempt_at) where status = 'pending';
create index meter_report_tenant_idx on meter_report (tenant_id, event_time);

create table meter_usage (
    request_id     uuid        primary key,
    tenant_id      uuid        not null references tenant (id),
    charge_micros  bigint      not null check (charge_micros > 0),
    created_at     timestamptz not null,            -- the request's time, as in request_log
    report_id      bigint      references meter_report (id)
);

create index meter_usage_unreported_idx on meter_usage (created_at) where report_id is null;
create index meter_usage_report_idx on meter_usage (report_id);
create index meter_usage_tenant_created_idx on meter_usage (tenant_id, created_at);

-- A request is postpaid when its time falls in a postpaid period of its tenant (tenant_plan_period, V13).
create function meter_usage_of_postpaid_tenants() returns trigger language plpgsql as $$
begin
    insert into meter_usage (request_id, tenant_id, charge_micros, created_at)
    select e.request_id, e.tenant_id, -e.amount_micros, e.created_at
    from new_entries e
    where e.kind = 'usage' and e.amount_micros < 0
      and exists (select 1 from tenant_plan_period p
                  where p.tenant_id = e.tenant_id and p.plan = 'postpaid'
                    and e.created_at >= p.started_at and (p.ended_at is null or e.created_at < p.ended_at))
    on conflict (request_id) do nothing;
    return null;
end;
$$;

create trigger ledger_entry_meters_postpaid_usage after insert on ledger_entry
    referencing new table as new_entries
    for each statement execute function meter_usage_of_postpaid_tenants();
