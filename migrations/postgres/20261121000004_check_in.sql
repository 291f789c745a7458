create table check_in (
    event_id bigint not null references event(id) on delete cascade,
    attendee_id text not null,
    place_text text not null,
    name text,
    label text,
    country_code text,
    country text,
    latitude double precision,
    longitude double precision,
    at bigint not null,
    primary key (event_id, attendee_id)
);

alter table event add column places_read_at bigint;
