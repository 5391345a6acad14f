-- A call the response cache answered: its token counts are the kept answer's, and nothing was charged for it.
-- NOT VALID, then VALIDATE: the check of existing rows takes no lock that stops the request log's inserts.
alter table request_log drop constraint request_log_usage_source_check;
alter table request_log add constraint request_log_usage_source_check
    check (usage_source in ('upstream', 'tokenizer', 'none', 'cache')) not valid;
alter table request_log validate constraint request_log_usage_source_check;
