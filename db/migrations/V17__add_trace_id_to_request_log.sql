-- The W3C trace id of each call (the client's traceparent, or the one tracing started), to find its spans and logs.
alter table request_log add column trace_id text;
