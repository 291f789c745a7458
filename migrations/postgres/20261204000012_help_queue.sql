-- A lab's help queue: pressing Stuck puts an attendee in line (in the order pressed),
-- a co-instructor takes the request ("I'm on it"), then it is helped or back in line;
-- Done (or taking Stuck back) withdraws it. The ticket is the id of the press that made it.
create table help_request (
    event_id bigint not null references event(id) on delete cascade,
    ticket text not null,
    section_id bigint not null,
    attendee_id text not null,
    note text,
    stuck_at bigint not null,
    helper text,
    taken_at bigint,
    closed_at bigint,
    outcome text check (outcome in ('helped', 'withdrawn')),
    primary key (event_id, ticket)
);
-- One open request per attendee and lab: a second Stuck keeps the place.
create unique index help_request_open on help_request (event_id, section_id, attendee_id)
    where closed_at is null;
