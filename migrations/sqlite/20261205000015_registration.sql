-- Registration and its emails (issue 20). An event with `registration` set (the checked
-- settings as JSON: capacity, question, the emails kept or reworded) takes sign-ups;
-- `call_url` / `call_passcode` are the video call, shown only to registrants when it
-- does. A registration is one row per person and event (found again by `email_key`,
-- the address in lower case); its `token` is the personal link, stored because every
-- email carries it. `attendee_id` ties it to the attendee who opened that link (the
-- funnel: joined, checked in, answered the survey).
alter table event add column registration text;
alter table event add column call_url text;
alter table event add column call_passcode text not null default '';

create table registration (
    id integer primary key autoincrement,
    event_id integer not null references event(id) on delete cascade,
    token text not null unique,
    name text not null,
    email text not null,
    email_key text not null,
    answer text,
    standing text not null check (standing in ('registered', 'waitlisted', 'cancelled')),
    source text not null default 'form',
    base_url text not null,
    created_at integer not null,
    placed_at integer,
    cancelled_at integer,
    attendee_id text,
    joined_at integer,
    unique (event_id, email_key)
);
create index registration_by_standing on registration (event_id, standing, created_at, id);
create index registration_by_attendee on registration (event_id, attendee_id);

-- One row per registration and kind of email: the unique key is what makes each sent
-- at most once, whatever the replicas and restarts. A replica claims a due row by
-- moving it to 'sending' with a lease (one conditional update: only one wins); a lease
-- that ran out (the replica died mid-send) lets another claim it. Failures wait with
-- backoff and keep their reason for the organizers.
create table email_job (
    id integer primary key autoincrement,
    event_id integer not null references event(id) on delete cascade,
    registration_id integer not null references registration(id) on delete cascade,
    kind text not null,
    due_at integer not null,
    state text not null check (state in ('pending', 'sending', 'sent', 'failed', 'skipped')),
    attempts integer not null default 0,
    lease_until integer,
    last_error text,
    sent_at integer,
    unique (registration_id, kind)
);
create index email_job_due on email_job (state, due_at);
create index email_job_by_event on email_job (event_id, state);
