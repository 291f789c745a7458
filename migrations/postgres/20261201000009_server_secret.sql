-- Secrets this deployment makes once and every replica shares: the key that signs
-- attendee cookies (an attendee is an id in a signed cookie, with no row of its own).
create table server_secret (
    name text primary key,
    value text not null
);
