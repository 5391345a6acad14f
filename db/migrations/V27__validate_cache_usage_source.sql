-- The check V26 added, now checked against existing rows (SHARE UPDATE EXCLUSIVE: inserts go on meanwhile).
alter table request_log validate constraint request_log_usage_source_check;
