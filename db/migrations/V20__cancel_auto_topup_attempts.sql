-- An automatic top-up attempt that had not reached Stripe when its tenant no longer wanted it (disabled, topped up by
-- hand, put on a postpaid plan, or changed the amount) is cancelled rather than charged.
alter table auto_topup_attempt drop constraint auto_topup_attempt_status_check;
alter table auto_topup_attempt add constraint auto_topup_attempt_status_check
    check (status in ('pending', 'succeeded', 'failed', 'cancelled'));
