-- "Where are you joining from?": one check-in per attendee and event, editable.
-- The gazetteer's match is stored with it, so the map survives a restart (and a
-- change of gazetteer data does not move old check-ins).
create table check_in (
    event_id integer not null references event(id) on delete cascade,
    attendee_id text not null,
    place_text text not null,
    name text,
    label text,
    country_code text,
    country text,
    latitude real,
    longitude real,
    at integer not null,
    primary key (event_id, attendee_id)
);

-- When the presenter last marked the new places as read out.
alter table event add column places_read_at integer;
