-- A payment whose dispute withdrew its funds (charge.dispute.funds_withdrawn): every credit it bought is taken back,
-- with what its refunds took back counted (refunded_micros then holds the whole credit).
alter table stripe_payment add column disputed boolean not null default false;
