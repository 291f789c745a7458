-- An optional survey attendees may fill in while they wait.
alter table event add column survey_url text;
