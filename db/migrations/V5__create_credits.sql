-- Prepaid credits. The ledger is the truth and is append-only; credit_balance is its running sum per tenant, updated
-- in the same transaction as every ledger insert, so that admission can read one row.

create table ledger_entry (
    id             bigint generated always as identity primary key,
    tenant_id      uuid        not null references tenant (id),
    kind           text        not null check (kind in ('signup_bonus', 'topup', 'auto_topup', 'usage', 'refund',
                                                        'adjustment')),
    amount_micros  bigint      not null,                 -- credits positive, debits negative
    request_id     uuid        unique,                   -- a usage debit lands once per request
    external_ref   text,                                 -- e.g. a Stripe Checkout Session or charge id
    description    text,
    created_at     timestamptz not null default now(),
    check ((kind = 'usage') = (request_id is not null))
);

-- One credit per external payment reference and kind (a Stripe session is fulfilled once, a refund debited once).
create unique index ledger_entry_external_ref_key on ledger_entry (kind, external_ref) where external_ref is not null;
create index ledger_entry_tenant_created_idx on ledger_entry (tenant_id, created_at desc, id desc);

create function ledger_entry_is_append_only() returns trigger language plpgsql as $$
begin
    raise exception 'ledger_entry is append-only: correct a mistake with a new adjustment entry';
end;
$$;

create trigger ledger_entry_append_only before update or delete or truncate on ledger_entry
    for each statement execute function ledger_entry_is_append_only();

create table credit_balance (
    tenant_id        uuid        primary key references tenant (id),
    balance_micros   bigint      not null default 0,     -- = sum(ledger_entry.amount_micros)
    credited_micros  bigint      not null default 0,     -- sum of every non-usage entry
    used_micros      bigint      not null default 0,     -- minus the sum of usage entries
    updated_at       timestamptz not null default now(),
    check (balance_micros = credited_micros - used_micros)
);

-- A slice of a tenant's balance that one Tollgate instance may spend without asking the database again. The sum of a
-- tenant's live leases never exceeds its balance when a lease is granted; spending shrinks the lease and the balance
-- together. A lease whose instance died expires and is swept.
create table credit_lease (
    id             uuid        primary key,
    tenant_id      uuid        not null references tenant (id),
    instance_id    text        not null,
    amount_micros  bigint      not null,
    expires_at     timestamptz not null,
    created_at     timestamptz not null default now()
);

create index credit_lease_tenant_idx on credit_lease (tenant_id, expires_at);

-- What each API key has spent in total, for per-key credit limits.
create table key_spend (
    api_key_id   uuid   primary key references api_key (id),
    tenant_id    uuid   not null references tenant (id),
    used_micros  bigint not null default 0
);

create index key_spend_tenant_idx on key_spend (tenant_id);

-- Tenants that signed up before credits existed start at zero.
insert into credit_balance (tenant_id) select id from tenant on conflict do nothing;
