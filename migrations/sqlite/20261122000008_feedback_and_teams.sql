-- Feedback, reports and recurring runs (issue 7), and series and teams.

-- 1: the survey's questions as JSON (null: the seed's default for the event's title and
-- agenda); it takes answers from End until an organizer closes it.
alter table event add column survey text;
alter table event add column survey_closed_at integer;
-- A recording, once the event is over.
alter table event add column recording_url text;
-- The most attendees connected at once, across replicas (for the report).
alter table event add column peak_attendees integer not null default 0;

-- One response per attendee and event: an edit replaces it.
create table survey_response (
    event_id integer not null references event(id) on delete cascade,
    attendee_id text not null,
    -- JSON: {"answers": {"<question position>": {"choices": [...], "text": "..."}}}
    answers text not null,
    submitted_at integer not null,
    updated_at integer not null,
    primary key (event_id, attendee_id)
);

-- 2: a team of organizers owns series (a recurring tutorial); an event belongs to a
-- series. An organizer sees the series of their teams, and the events made on the
-- command line without a team (series_id null).
create table team (
    id integer primary key,
    name text not null,
    created_at integer not null
);

create table team_member (
    team_id integer not null references team(id) on delete cascade,
    organizer_id integer not null references organizer(id) on delete cascade,
    joined_at integer not null,
    primary key (team_id, organizer_id)
);

create index team_member_by_organizer on team_member (organizer_id);

create table series (
    id integer primary key,
    team_id integer not null references team(id) on delete cascade,
    title text not null,
    created_at integer not null,
    unique (team_id, title)
);

alter table event add column series_id integer references series(id);
-- An invitation makes its guest a member of the inviter's team.
alter table organizer_invite add column team_id integer references team(id);

-- What was there before teams: the organizers become one team, and each event an
-- organizer made joins a series named after its title.
insert into team (name, created_at)
    select 'Organizers', min(created_at) from organizer having count(*) > 0;
insert into team_member (team_id, organizer_id, joined_at)
    select (select min(id) from team), id, created_at from organizer;
insert into series (team_id, title, created_at)
    select (select min(id) from team), title, min(created_at) from event
    where created_by is not null group by title;
update event set series_id = (select s.id from series s where s.title = event.title)
    where created_by is not null;
