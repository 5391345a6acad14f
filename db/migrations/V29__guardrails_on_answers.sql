-- Whether a tenant's guardrails (personal data, blocked terms) apply to the chat answers its keys get as well as to
-- their prompts.
alter table tenant_guardrails add column screen_answers boolean not null default false;
