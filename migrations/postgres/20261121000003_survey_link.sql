alter table event add column survey_url text;
