-- A poll may be asked with its results hidden from attendees until revealed.
alter table poll add column hide_results integer not null default 0;
alter table poll add column revealed_at integer;
-- The event's default for its polls.
alter table event add column hide_poll_results integer not null default 0;
