-- What the stream overlay shows (JSON, e.g. {"show":"poll"}); null: nothing.
alter table event add column overlay text;
