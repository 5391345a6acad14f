-- Automatic top-up charges once each time the balance falls below the threshold: an attempt disarms it, and it is
-- armed again when the balance is seen at or above the threshold (after the top-up itself, say), or the tenant saves
-- its settings. A threshold above what one top-up reaches no longer charges the card every few seconds.
alter table auto_topup add column armed boolean not null default true;
