-- Secrets this deployment makes once and every replica shares: the key that signs
-- attendee cookies (an attendee is an id in a signed cookie, with no row of its own).
create table server_secret (
    name text primary key,
    value text not null
);

-- One row /healthz writes after a live commit failed: until a write of a large batch's
-- size goes through (a full disk has room again), the server is not healthy.
create table health_probe (
    id integer primary key,
    at bigint not null,
    padding blob not null
);
