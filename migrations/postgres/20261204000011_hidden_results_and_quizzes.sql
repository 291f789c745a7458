-- A poll may be asked with its results hidden from attendees until revealed.
alter table poll add column hide_results bigint not null default 0;
alter table poll add column revealed_at bigint;
-- A quiz's right choices, as "0,2"; empty for a poll.
alter table poll add column right_choices text not null default '';
-- The event's default for its polls.
alter table event add column hide_poll_results bigint not null default 0;
