-- Tenants (organizations), their users, browser sessions and API keys.

create table tenant (
    id          uuid        primary key,
    name        text        not null,
    created_at  timestamptz not null default now()
);

create table app_user (
    id             uuid        primary key,
    tenant_id      uuid        not null references tenant (id),
    email          text        not null,
    password_hash  text        not null,
    role           text        not null check (role in ('owner', 'member')),
    created_at     timestamptz not null default now()
);

create unique index app_user_email_key on app_user (lower(email));
create index app_user_tenant_idx on app_user (tenant_id);

-- A browser session: only the SHA-256 of the cookie value is stored, so a database leak does not leak sessions.
create table user_session (
    token_hash  bytea       primary key,
    user_id     uuid        not null references app_user (id) on delete cascade,
    created_at  timestamptz not null default now(),
    expires_at  timestamptz not null
);

create index user_session_expires_idx on user_session (expires_at);

-- An API key is stored only as the SHA-256 of the key plus a short prefix to recognise it by.
create table api_key (
    id                  uuid        primary key,
    tenant_id           uuid        not null references tenant (id),
    name                text        not null,
    key_hash            bytea       not null unique,
    prefix              text        not null,
    credit_limit_micros bigint      check (credit_limit_micros is null or credit_limit_micros >= 0),
    created_at          timestamptz not null default now(),
    last_used_at        timestamptz,
    revoked_at          timestamptz
);

create index api_key_tenant_idx on api_key (tenant_id, created_at desc);
