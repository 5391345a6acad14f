-- A call the response cache answered: its token counts are the kept answer's, and nothing was charged for it.
-- NOT VALID here, and the check of existing rows in V27: Flyway runs a migration in one transaction, and this one's
-- ACCESS EXCLUSIVE lock would be held through the scan, stopping the request log's inserts; VALIDATE alone takes a
-- lock that lets them go on.
alter table request_log drop constraint request_log_usage_source_check;
alter table request_log add constraint request_log_usage_source_check
    check (usage_source in ('upstream', 'tokenizer', 'none', 'cache')) not valid;
