-- Word clouds (issue 19): a poll without choices whose attendees answer in up to three
-- short answers of their own. An attendee's answers are one row (a JSON array of
-- strings), replaced when they change them; a hidden word is a row by its group key
-- (cloud::group_key), put there by a co-instructor or by the word filter.
alter table poll add column words integer not null default 0;

create table word_answer (
    event_id integer not null,
    poll_id text not null,
    attendee_id text not null,
    answers text not null,
    at integer not null,
    primary key (event_id, poll_id, attendee_id),
    foreign key (event_id, poll_id) references poll(event_id, id) on delete cascade
);

create table word_hidden (
    event_id integer not null,
    poll_id text not null,
    word_key text not null,
    primary key (event_id, poll_id, word_key),
    foreign key (event_id, poll_id) references poll(event_id, id) on delete cascade
);
