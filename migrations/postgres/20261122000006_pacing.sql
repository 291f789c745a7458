-- The pacing panel: the agenda as it runs, quick polls, lab signals and the pace over time.

-- The running agenda (sections added, moved, extended and skipped live, and the section
-- clock) is one value that every presenter command replaces whole under the event's
-- lock, so it is stored whole (JSON). `agenda_version` lets a command made from an older
-- agenda be refused. Null until the first command: then the agenda is the planned one in
-- `section`.
alter table event add column agenda text;
alter table event add column agenda_version bigint not null default 0;
-- Pace votes stop counting after this many minutes.
alter table event add column pace_expiry_minutes bigint not null default 5;

-- Quick polls. Ids are made by the page that asks (a retry asks nothing twice); the
-- choices are a JSON array of strings; `section_id` is the agenda section it was asked in.
create table poll (
    event_id bigint not null references event(id) on delete cascade,
    id text not null,
    question text not null,
    options text not null,
    section_id bigint,
    asked_at bigint not null,
    closed_at bigint,
    primary key (event_id, id)
);

create table poll_answer (
    event_id bigint not null,
    poll_id text not null,
    attendee_id text not null,
    choice bigint not null,
    at bigint not null,
    primary key (event_id, poll_id, attendee_id),
    foreign key (event_id, poll_id) references poll(event_id, id) on delete cascade
);

-- Done / stuck in a lab section, one per attendee and section.
create table lab_signal (
    event_id bigint not null references event(id) on delete cascade,
    section_id bigint not null,
    attendee_id text not null,
    signal text not null check (signal in ('done', 'stuck')),
    note text,
    at bigint not null,
    primary key (event_id, section_id, attendee_id)
);

-- The pace tally every 30 seconds while a room is open: the trend and the history per
-- section. Replicas write the same moments; the first one written stands.
create table pace_sample (
    event_id bigint not null references event(id) on delete cascade,
    at bigint not null,
    section_id bigint,
    slower bigint not null,
    just_right bigint not null,
    faster bigint not null,
    online bigint not null,
    primary key (event_id, at)
);
