-- The change log (an outbox): every live change an event's room applied, numbered per
-- event. Replicas on one database read it to follow each other's changes. Numbers are
-- handed out under the event row's lock (`change_seq`), so they commit in order: a
-- reader that has seen change n has seen every change before it.
alter table event add column change_seq integer not null default 0;

create table live_change (
    event_id integer not null references event(id) on delete cascade,
    seq integer not null,
    origin text not null,
    at integer not null,
    body text not null,
    primary key (event_id, seq)
);

-- Who is connected to each replica, per event, refreshed every second by each replica
-- (PostgreSQL deployments): every page counts the people on all replicas.
create table presence (
    event_id integer not null references event(id) on delete cascade,
    origin text not null,
    attendees integer not null,
    staff integer not null,
    screens integer not null,
    seen_at integer not null,
    primary key (event_id, origin)
);
