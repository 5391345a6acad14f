-- Stripe: one customer per tenant, every webhook event processed, and every payment that credited a tenant (so that a
-- refund can find what it paid for, whichever event arrives first).

create table stripe_customer (
    tenant_id    uuid        primary key references tenant (id),
    customer_id  text        not null unique,
    created_at   timestamptz not null default now()
);

-- An event id is stored in the same transaction as its effects, so a redelivery finds it and changes nothing.
create table stripe_event (
    id            text        primary key,
    type          text        not null,
    processed_at  timestamptz not null default now()
);

-- A payment that bought credits, keyed by its PaymentIntent. Written by whichever comes first: the fulfilment (tenant
-- and credits known) or a refund (the charge's amount and how much of it is refunded, in the charge's currency).
-- refunded_micros is what has been debited for refunds so far: credit_micros * charge_refunded / charge_amount.
create table stripe_payment (
    payment_intent_id    text        primary key,
    tenant_id            uuid        references tenant (id),
    kind                 text        check (kind in ('topup', 'auto_topup')),
    checkout_session_id  text        unique,
    credit_micros        bigint      check (credit_micros > 0),
    charge_amount        bigint      check (charge_amount > 0),
    charge_refunded      bigint      not null default 0 check (charge_refunded >= 0),
    refunded_micros      bigint      not null default 0 check (refunded_micros >= 0),
    created_at           timestamptz not null default now(),
    updated_at           timestamptz not null default now()
);

create index stripe_payment_tenant_idx on stripe_payment (tenant_id);
