-- A markup above 100 (a charge of 101 times the cost) could overflow a call's charge at the dearest price
-- (MarkupRules.MAX_PPM); a markup near the largest bigint wrapped the charge round to a negative, every call free. The
-- operator API refuses such markups; this check holds for rows written by hand too. Not validated against rows already
-- there: an upgrade never fails on them.
alter table markup_rule
    add constraint markup_rule_at_most_100 check (markup_ppm <= 100000000) not valid;
