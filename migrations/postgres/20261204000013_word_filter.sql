-- The word filter (issue 19): what an event does with attendee text that has a listed
-- word in it ('off', 'review': held back for a co-instructor, 'refuse'), the organizers'
-- own words (a JSON array), and which check-ins it held (counted, their place not named).
alter table event add column word_filter text not null default 'off'
    check (word_filter in ('off', 'review', 'refuse'));
alter table event add column blocked_words text not null default '[]';
alter table check_in add column held bigint not null default 0;
