-- The models Tollgate serves and the provider prices they cost, with history: a price row is never updated, a new one
-- with a later effective_from replaces it, so the cost of a past request can always be recomputed.

create table model (
    id                 text        primary key,            -- public id, e.g. 'openai/gpt-4o-mini'
    provider           text        not null,               -- a key of tollgate.providers.<name>
    upstream_id        text        not null,               -- the id the provider knows it by
    name               text        not null,
    context_length     integer     not null check (context_length > 0),
    max_output_tokens  integer     check (max_output_tokens is null or max_output_tokens > 0),
    enabled            boolean     not null default true,
    created_at         timestamptz not null default now()
);

-- Prices in micro-dollars per million tokens (1 USD = 1,000,000 micros), so $0.15 / Mtok is 150000.
create table model_price (
    id                            bigint generated always as identity primary key,
    model_id                      text        not null references model (id),
    input_per_mtok_micros         bigint      not null check (input_per_mtok_micros >= 0),
    output_per_mtok_micros        bigint      not null check (output_per_mtok_micros >= 0),
    cached_input_per_mtok_micros  bigint      check (cached_input_per_mtok_micros >= 0),
    cache_write_per_mtok_micros   bigint      check (cache_write_per_mtok_micros >= 0),
    reasoning_per_mtok_micros     bigint      check (reasoning_per_mtok_micros >= 0),
    effective_from                timestamptz not null,
    created_at                    timestamptz not null default now(),
    unique (model_id, effective_from)
);
