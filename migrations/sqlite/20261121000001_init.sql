-- Lectern's schema. Times are integer milliseconds since the Unix epoch (UTC), ids of
-- things made by the server are integers, ids made by clients are text (UUIDs): the
-- same SQL then runs on SQLite and PostgreSQL.

create table organizer (
    id integer primary key,
    email text not null unique,
    name text not null,
    password_hash text not null,
    created_at integer not null
);

create table organizer_invite (
    token_hash text primary key,
    invited_by integer not null references organizer(id),
    created_at integer not null,
    used_at integer
);

create table event (
    id integer primary key,
    slug text not null unique,
    title text not null,
    hosts text not null,
    starts_at integer not null,
    time_zone text not null,
    created_by integer references organizer(id),
    created_at integer not null
);

create table section (
    event_id integer not null references event(id) on delete cascade,
    position integer not null,
    title text not null,
    kind text not null,
    minutes integer not null,
    exercise_minutes integer not null,
    primary key (event_id, position)
);

create table material (
    event_id integer not null references event(id) on delete cascade,
    position integer not null,
    label text not null,
    url text not null,
    primary key (event_id, position)
);

-- Secret links for presenters and co-instructors. Only a SHA-256 of the token is kept;
-- a link is shown once when made, and rotating it revokes the old one.
create table role_link (
    id integer primary key,
    event_id integer not null references event(id) on delete cascade,
    role text not null check (role in ('presenter', 'moderator')),
    token_hash text not null unique,
    created_at integer not null,
    revoked_at integer
);

create index role_link_by_event on role_link (event_id, role);

-- The live pace vote of each attendee: one row per attendee and event.
create table pace_vote (
    event_id integer not null references event(id) on delete cascade,
    attendee_id text not null,
    vote text not null check (vote in ('slower', 'just_right', 'faster')),
    cast_at integer not null,
    primary key (event_id, attendee_id)
);
