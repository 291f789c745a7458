alter table event add column doors_open_minutes bigint not null default 30;
alter table event add column started_at bigint;
alter table event add column ended_at bigint;
