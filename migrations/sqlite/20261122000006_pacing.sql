-- The pacing panel: the agenda as it runs, quick polls, lab signals and the pace over time.

-- The running agenda (sections added, moved, extended and skipped live, and the section
-- clock) is one value that every presenter command replaces whole under the event's
-- lock, so it is stored whole (JSON). `agenda_version` lets a command made from an older
-- agenda be refused. Null until the first command: then the agenda is the planned one in
-- `section`.
alter table event add column agenda text;
alter table event add column agenda_version integer not null default 0;
-- Pace votes stop counting after this many minutes.
alter table event add column pace_expiry_minutes integer not null default 5;

-- Quick polls. Ids are made by the page that asks (a retry asks nothing twice); the
-- choices are a JSON array of strings; `section_id` is the agenda section it was asked in.
create table poll (
    event_id integer not null references event(id) on delete cascade,
    id text not null,
    question text not null,
    options text not null,
    section_id integer,
    asked_at integer not null,
    closed_at integer,
    primary key (event_id, id)
);

create table poll_answer (
    event_id integer not null,
    poll_id text not null,
    attendee_id text not null,
    choice integer not null,
    at integer not null,
    primary key (event_id, poll_id, attendee_id),
    foreign key (event_id, poll_id) references poll(event_id, id) on delete cascade
);

-- Done / stuck in a lab section, one per attendee and section.
create table lab_signal (
    event_id integer not null references event(id) on delete cascade,
    section_id integer not null,
    attendee_id text not null,
    signal text not null check (signal in ('done', 'stuck')),
    note text,
    at integer not null,
    primary key (event_id, section_id, attendee_id)
);

-- The pace tally every 30 seconds while a room is open: the trend and the history per
-- section. Replicas write the same moments; the first one written stands.
create table pace_sample (
    event_id integer not null references event(id) on delete cascade,
    at integer not null,
    section_id integer,
    slower integer not null,
    just_right integer not null,
    faster integer not null,
    online integer not null,
    primary key (event_id, at)
);
