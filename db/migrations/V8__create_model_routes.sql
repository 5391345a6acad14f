-- More than one provider may serve a catalog model (the same open model on two hosts, OpenAI and Azure OpenAI…).
-- A model's route through model.provider is always its first; rows here add others. A route's own price, when given,
-- is what that host charges the operator (used for sort=price and for the request's cost); the tenant always pays
-- the model's catalog price.
create table model_route (
    model_id                text        not null references model (id),
    provider                text        not null,
    upstream_id             text        not null,
    priority                integer     not null default 100,
    input_per_mtok_micros   bigint      check (input_per_mtok_micros >= 0),
    output_per_mtok_micros  bigint      check (output_per_mtok_micros >= 0),
    enabled                 boolean     not null default true,
    created_at              timestamptz not null default now(),
    primary key (model_id, provider)
);
