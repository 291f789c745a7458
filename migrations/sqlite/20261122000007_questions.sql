-- The question queue. Question ids are made by the asking page (a retry asks once).
-- `version` rises with every moderation: a moderation is written only over the version
-- it was made from, so two co-instructors acting at once end in one state.

-- 1: questions wait for a co-instructor's approval before they are public.
alter table event add column pre_moderation integer not null default 0;

create table question (
    event_id integer not null references event(id) on delete cascade,
    id text not null,
    attendee_id text not null,
    text text not null,
    name text,
    asked_at integer not null,
    state text not null check (state in ('review', 'open', 'bubbled', 'for_break', 'answered', 'dismissed')),
    pinned integer not null default 0,
    note text,
    -- JSON: {"how": "typed", "text": …}, {"how": "in_chat"} or {"how": "live"}.
    answer text,
    version integer not null default 0,
    primary key (event_id, id)
);

create index question_by_asker on question (event_id, attendee_id, asked_at);

create table question_vote (
    event_id integer not null,
    question_id text not null,
    attendee_id text not null,
    primary key (event_id, question_id, attendee_id),
    foreign key (event_id, question_id) references question(event_id, id) on delete cascade
);
