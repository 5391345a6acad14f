-- One row per proxied call, written in batches off the response path. The id is the generation id returned to the
-- client in x-tollgate-generation-id (as 'gen-' + the uuid's 32 hex digits).
create table request_log (
    id                  uuid        primary key,
    tenant_id           uuid        not null,
    api_key_id          uuid        not null,
    model               text        not null,
    provider            text,
    status              integer     not null,
    error_code          text,
    streamed            boolean     not null,
    cancelled           boolean     not null default false,
    finish_reason       text,
    prompt_tokens       integer,
    completion_tokens   integer,
    cached_tokens       integer,
    cache_write_tokens  integer,
    reasoning_tokens    integer,
    usage_source        text        not null check (usage_source in ('upstream', 'tokenizer', 'none')),
    latency_ms          integer     not null,
    ttfb_ms             integer,
    created_at          timestamptz not null
);

create index request_log_tenant_created_idx on request_log (tenant_id, created_at desc);
create index request_log_key_created_idx on request_log (api_key_id, created_at desc);
