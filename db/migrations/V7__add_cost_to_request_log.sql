-- What each request cost the operator (provider price) and what the tenant paid (with markup), both in micro-dollars,
-- with the price row and markup in force when it was admitted, so margin is a query and a price change never
-- alters a past request.
alter table request_log
    add column price_id      bigint,
    add column markup_ppm    bigint,
    add column cost_micros   bigint not null default 0,
    add column charge_micros bigint not null default 0,
    add column generation_ms integer,
    add column error_message text;
