-- Automatic top-up: a tenant's threshold, amount and saved card, and each attempt to charge it. At most one attempt
-- per tenant is pending at a time (a unique partial index), whatever the number of instances or concurrent checks.

create table auto_topup (
    tenant_id          uuid        primary key references tenant (id),
    enabled            boolean     not null default false,
    threshold_micros   bigint      check (threshold_micros >= 0),     -- null until the tenant sets it
    amount_micros      bigint      check (amount_micros > 0),
    payment_method_id  text,                                          -- the card saved at Checkout
    updated_at         timestamptz not null default now(),
    check (not enabled or (threshold_micros is not null and amount_micros is not null))
);

create table auto_topup_attempt (
    id                 uuid        primary key,
    tenant_id          uuid        not null references tenant (id),
    credit_micros      bigint      not null check (credit_micros > 0),
    amount_cents       bigint      not null check (amount_cents > 0),  -- charged to the card: credits plus the fee
    status             text        not null check (status in ('pending', 'succeeded', 'failed')),
    payment_intent_id  text        unique,
    tries              integer     not null default 0,
    next_try_at        timestamptz not null default now(),
    error              text,
    created_at         timestamptz not null default now(),
    updated_at         timestamptz not null default now()
);

create unique index auto_topup_attempt_one_pending on auto_topup_attempt (tenant_id) where status = 'pending';
create index auto_topup_attempt_tenant_idx on auto_topup_attempt (tenant_id, created_at desc);
create index auto_topup_attempt_due_idx on auto_topup_attempt (next_try_at) where status = 'pending';
