-- Every provider attempt of a request (retries and fallbacks included), written with the request's log row.
create table request_attempt (
    request_id   uuid        not null,
    attempt      integer     not null,
    model        text        not null,
    provider     text        not null,
    key_index    integer,
    status       integer     not null,              -- the provider's HTTP status, 0 when none came
    error_code   text,
    latency_ms   integer     not null,
    primary key (request_id, attempt)
);
