-- The operator's summary reads the whole request log in a period, every tenant's: without an index led by the time,
-- each of its reads scanned the table. Rows are written in time order (batches of calls just ended), which is what a
-- BRIN index needs: a few pages for millions of rows, and next to nothing added to each batch's insert.
create index request_log_created_brin on request_log using brin (created_at);
