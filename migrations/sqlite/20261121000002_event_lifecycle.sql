-- An event's life: the waiting screen opens `doors_open_minutes` before `starts_at`;
-- the presenter's Start and End are recorded as they happen.
alter table event add column doors_open_minutes integer not null default 30;
alter table event add column started_at integer;
alter table event add column ended_at integer;
