//! An event (one run of a tutorial) and its agenda, as an organizer describes it.
//!
//! [`EventDraft`] is what a form or an event file says; [`EventDraft::parse`] turns it
//! into a [`NewEvent`] whose every field is valid, or names the first field at fault.

use super::{DomainError, bounded_text};
use chrono::{DateTime, NaiveDateTime, TimeZone, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

pub const MAX_SECTIONS: usize = 40;
pub const MAX_MATERIALS: usize = 10;
/// Half a day: longer than any tutorial, short enough to catch "90" typed as "900".
pub const MAX_SECTION_MINUTES: u32 = 720;

/// The public, URL-safe name of an event: `/e/{slug}`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Slug(String);

impl Slug {
    pub const MAX_LEN: usize = 60;

    pub fn parse(raw: &str) -> Result<Self, DomainError> {
        let ok_chars = raw
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
        if raw.is_empty()
            || raw.len() > Self::MAX_LEN
            || !ok_chars
            || raw.starts_with('-')
            || raw.ends_with('-')
        {
            return Err(DomainError::new(
                "slug",
                "must be 1-60 lowercase letters, digits and inner hyphens",
            ));
        }
        Ok(Self(raw.to_string()))
    }

    /// A readable slug from a title ("Dask Tutorial, May!" → "dask-tutorial-may-x7k2"),
    /// made unique by a random `suffix` the caller supplies.
    pub fn from_title(title: &str, suffix: &str) -> Self {
        let mut words = String::new();
        for c in title.chars().flat_map(char::to_lowercase) {
            if c.is_ascii_alphanumeric() {
                words.push(c);
            } else if !words.ends_with('-') && !words.is_empty() {
                words.push('-');
            }
        }
        let keep = Self::MAX_LEN - suffix.len() - 1;
        let stem: String = words.trim_end_matches('-').chars().take(keep).collect();
        let stem = stem.trim_end_matches('-');
        Self(if stem.is_empty() {
            suffix.to_string()
        } else {
            format!("{stem}-{suffix}")
        })
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for Slug {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// What happens in a section: it decides what attendees see (a lab countdown, a break).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum SectionKind {
    #[default]
    Teaching,
    Lab,
    Break,
    Qa,
    Results,
}

impl SectionKind {
    pub const ALL: [SectionKind; 5] = [
        SectionKind::Teaching,
        SectionKind::Lab,
        SectionKind::Break,
        SectionKind::Qa,
        SectionKind::Results,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            SectionKind::Teaching => "teaching",
            SectionKind::Lab => "lab",
            SectionKind::Break => "break",
            SectionKind::Qa => "qa",
            SectionKind::Results => "results",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|kind| kind.as_str() == raw)
    }

    pub fn label(self) -> &'static str {
        match self {
            SectionKind::Teaching => "Teaching",
            SectionKind::Lab => "Lab",
            SectionKind::Break => "Break",
            SectionKind::Qa => "Q&A",
            SectionKind::Results => "Lab results",
        }
    }

    /// Sections where attendees work on their own and watch a countdown.
    pub fn counts_down(self) -> bool {
        matches!(self, SectionKind::Lab | SectionKind::Break)
    }
}

/// One block of the agenda, with the minutes planned for it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Section {
    pub title: String,
    pub kind: SectionKind,
    /// All the minutes planned for the section.
    pub minutes: u32,
    /// Of `minutes`, how many are for attendees' own exercises (seed 003's split).
    #[serde(default)]
    pub exercise_minutes: u32,
}

impl Section {
    pub fn parse(index: usize, draft: &SectionDraft) -> Result<Self, DomainError> {
        let field = |name: &str| format!("sections[{}].{name}", index + 1);
        let title = bounded_text(&field("title"), &draft.title, 1, 120)?;
        if draft.minutes == 0 || draft.minutes > MAX_SECTION_MINUTES {
            return Err(DomainError::new(
                field("minutes"),
                format!("must be between 1 and {MAX_SECTION_MINUTES}"),
            ));
        }
        if draft.exercise_minutes > draft.minutes {
            return Err(DomainError::new(
                field("exercise_minutes"),
                "cannot be more than the section's minutes",
            ));
        }
        Ok(Self {
            title,
            kind: draft.kind,
            minutes: draft.minutes,
            exercise_minutes: draft.exercise_minutes,
        })
    }
}

/// A link attendees need: the repository, a Binder launch, the slides.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Material {
    pub label: String,
    pub url: String,
}

impl Material {
    pub fn parse(index: usize, label: &str, url: &str) -> Result<Self, DomainError> {
        let field = |name: &str| format!("materials[{}].{name}", index + 1);
        let label = bounded_text(&field("label"), label, 1, 80)?;
        let url = web_address(&field("url"), url)?;
        Ok(Self { label, url })
    }

    /// A Binder launch link: shown as a button, since attendees need it first.
    pub fn is_binder(&self) -> bool {
        self.url.contains("mybinder.org/")
    }
}

/// A link for attendees to open: http(s) only, so no `javascript:` can sneak in.
pub fn web_address(field: &str, raw: &str) -> Result<String, DomainError> {
    let url = bounded_text(field, raw, 1, 500)?;
    let scheme_ok = url.starts_with("https://") || url.starts_with("http://");
    if !scheme_ok || url.chars().any(char::is_whitespace) {
        return Err(DomainError::new(
            field,
            "must be a web address starting with https:// or http://",
        ));
    }
    Ok(url)
}

/// A section as typed into the editor or an event file, not yet checked.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SectionDraft {
    pub title: String,
    #[serde(default)]
    pub kind: SectionKind,
    pub minutes: u32,
    #[serde(default)]
    pub exercise_minutes: u32,
}

/// An event as typed into the editor or an event file, not yet checked.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventDraft {
    pub title: String,
    #[serde(default)]
    pub hosts: String,
    /// Wall-clock start where the event happens, `YYYY-MM-DDTHH:MM`.
    pub starts_at: String,
    /// IANA name such as `Europe/London`; the start time is read in this zone.
    pub time_zone: String,
    #[serde(default)]
    pub materials: Vec<Material>,
    #[serde(default)]
    pub sections: Vec<SectionDraft>,
    /// Minutes before the start that the waiting screen opens (default 30).
    #[serde(default)]
    pub doors_open_minutes: Option<u32>,
    /// A survey attendees may fill in while they wait (a registration form, a poll).
    #[serde(default)]
    pub survey_url: Option<String>,
    /// Minutes after which a pace vote stops counting (default 5).
    #[serde(default)]
    pub pace_expiry_minutes: Option<u32>,
    /// Questions wait for a co-instructor's approval before they are public.
    #[serde(default)]
    pub pre_moderation: bool,
    /// Polls are asked with their results hidden from attendees until revealed (the
    /// staff's launcher starts ticked; each poll may still be asked either way).
    #[serde(default)]
    pub hide_poll_results: bool,
    /// What happens to attendee text with a listed word in it.
    #[serde(default)]
    pub word_filter: super::filter::FilterSettings,
    /// The feedback survey's questions; none means the seed's default.
    #[serde(default)]
    pub survey: Vec<super::feedback::SurveyQuestion>,
    /// Registration with a capacity, a waitlist and emails; none: people come by the
    /// public link, as before.
    #[serde(default)]
    pub registration: Option<super::registration::RegistrationDraft>,
    /// The video call's address and passcode (shown only to registrants when
    /// registration is on).
    #[serde(default)]
    pub call: super::registration::Call,
}

/// A checked event, ready to be stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewEvent {
    pub title: String,
    pub hosts: String,
    pub starts_at: DateTime<Utc>,
    pub time_zone: Tz,
    pub materials: Vec<Material>,
    pub sections: Vec<Section>,
    pub doors_open_minutes: u32,
    pub survey_url: Option<String>,
    pub pace_expiry_minutes: u32,
    pub pre_moderation: bool,
    pub hide_poll_results: bool,
    pub word_filter: super::filter::FilterSettings,
    /// The organizers' survey; `None` gives the seed's default at the end.
    pub survey: Option<super::feedback::Survey>,
    pub registration: Option<super::registration::Registration>,
    pub call: Option<super::registration::Call>,
}

impl EventDraft {
    pub fn parse(&self) -> Result<NewEvent, DomainError> {
        let title = bounded_text("title", &self.title, 1, 120)?;
        let hosts = bounded_text("hosts", &self.hosts, 0, 200)?;
        let time_zone = parse_time_zone(&self.time_zone)?;
        let starts_at = parse_local_start(&self.starts_at, time_zone)?;
        if self.materials.len() > MAX_MATERIALS {
            return Err(DomainError::new(
                "materials",
                format!("at most {MAX_MATERIALS} links"),
            ));
        }
        let materials = self
            .materials
            .iter()
            .enumerate()
            .map(|(i, m)| Material::parse(i, &m.label, &m.url))
            .collect::<Result<Vec<_>, _>>()?;
        if self.sections.is_empty() {
            return Err(DomainError::new(
                "sections",
                "add at least one section to the agenda",
            ));
        }
        if self.sections.len() > MAX_SECTIONS {
            return Err(DomainError::new(
                "sections",
                format!("at most {MAX_SECTIONS} sections"),
            ));
        }
        let sections = self
            .sections
            .iter()
            .enumerate()
            .map(|(i, s)| Section::parse(i, s))
            .collect::<Result<Vec<_>, _>>()?;
        let doors_open_minutes = self
            .doors_open_minutes
            .unwrap_or(DEFAULT_DOORS_OPEN_MINUTES);
        if doors_open_minutes > 24 * 60 {
            return Err(DomainError::new(
                "doors_open_minutes",
                "must be at most a day (1440 minutes)",
            ));
        }
        let pace_expiry_minutes = self
            .pace_expiry_minutes
            .unwrap_or(super::pace::DEFAULT_EXPIRY_MINUTES);
        if !(1..=super::pace::MAX_EXPIRY_MINUTES).contains(&pace_expiry_minutes) {
            return Err(DomainError::new(
                "pace_expiry_minutes",
                format!(
                    "must be between 1 and {} minutes",
                    super::pace::MAX_EXPIRY_MINUTES
                ),
            ));
        }
        let survey_url = match self.survey_url.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(url) => Some(web_address("survey_url", url)?),
        };
        Ok(NewEvent {
            title,
            hosts,
            starts_at,
            time_zone,
            materials,
            sections,
            doors_open_minutes,
            survey_url,
            pace_expiry_minutes,
            pre_moderation: self.pre_moderation,
            hide_poll_results: self.hide_poll_results,
            word_filter: self.word_filter.parse()?,
            survey: if self.survey.is_empty() {
                None
            } else {
                Some(super::feedback::Survey::parse(&self.survey)?)
            },
            registration: self
                .registration
                .as_ref()
                .map(super::registration::RegistrationDraft::parse)
                .transpose()?,
            call: self.call.parse()?,
        })
    }
}

pub fn parse_time_zone(raw: &str) -> Result<Tz, DomainError> {
    raw.trim().parse::<Tz>().map_err(|_| {
        DomainError::new(
            "time_zone",
            format!(
                "\"{}\" is not a known time zone (e.g. Europe/London)",
                raw.trim()
            ),
        )
    })
}

/// Reads a wall-clock time in `zone`. A time skipped by a clock change is refused; a time
/// that happens twice (clocks going back) means its first occurrence.
pub fn parse_local_start(raw: &str, zone: Tz) -> Result<DateTime<Utc>, DomainError> {
    let raw = raw.trim();
    let naive = NaiveDateTime::parse_from_str(raw, "%Y-%m-%dT%H:%M")
        .or_else(|_| NaiveDateTime::parse_from_str(raw, "%Y-%m-%dT%H:%M:%S"))
        .or_else(|_| NaiveDateTime::parse_from_str(raw, "%Y-%m-%d %H:%M"))
        .map_err(|_| {
            DomainError::new("starts_at", "must be a date and time like 2026-05-14T17:00")
        })?;
    zone.from_local_datetime(&naive)
        .earliest()
        .map(|local| local.with_timezone(&Utc))
        .ok_or_else(|| {
            DomainError::new(
                "starts_at",
                format!("{raw} does not exist in {zone} (the clocks change then)"),
            )
        })
}

/// The minutes the whole agenda plans.
pub fn planned_minutes(sections: &[Section]) -> u32 {
    sections.iter().map(|s| s.minutes).sum()
}

/// How long before the start the waiting screen opens, unless an event says otherwise.
pub const DEFAULT_DOORS_OPEN_MINUTES: u32 = 30;

/// Where an event is in its life. `Scheduled` and `DoorsOpen` follow the clock;
/// `Live` and `Ended` follow the presenter's Start and End.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Phase {
    Scheduled,
    DoorsOpen,
    Live,
    Ended,
}

/// A moment as a clock in `zone` reads it, e.g. "Thu 14 May 2026, 17:00 BST".
pub fn wall_time(at: DateTime<Utc>, zone: Tz) -> String {
    at.with_timezone(&zone)
        .format("%a %-d %b %Y, %H:%M %Z")
        .to_string()
}

/// The times that decide an event's [`Phase`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Lifecycle {
    pub starts_at: DateTime<Utc>,
    /// The waiting screen opens this many minutes before `starts_at`.
    pub doors_open_minutes: u32,
    /// When the presenter pressed Start.
    pub started_at: Option<DateTime<Utc>>,
    /// When the presenter pressed End.
    pub ended_at: Option<DateTime<Utc>>,
}

impl Lifecycle {
    pub fn phase(&self, now: DateTime<Utc>) -> Phase {
        if self.ended_at.is_some() {
            Phase::Ended
        } else if self.started_at.is_some() {
            Phase::Live
        } else if now >= self.doors_open_at() {
            Phase::DoorsOpen
        } else {
            Phase::Scheduled
        }
    }

    pub fn doors_open_at(&self) -> DateTime<Utc> {
        self.starts_at - chrono::Duration::minutes(i64::from(self.doors_open_minutes))
    }

    /// The presenter starts the event: once, and not after it ended. Starting early,
    /// before the doors open, is allowed: the presenter knows best.
    pub fn start(&mut self, now: DateTime<Utc>) -> Result<(), DomainError> {
        match self.phase(now) {
            Phase::Live => Err(DomainError::new("event", "has already started")),
            Phase::Ended => Err(DomainError::new(
                "event",
                "has ended; it cannot start again",
            )),
            Phase::Scheduled | Phase::DoorsOpen => {
                self.started_at = Some(now);
                Ok(())
            }
        }
    }

    /// The presenter ends the live event.
    pub fn end(&mut self, now: DateTime<Utc>) -> Result<(), DomainError> {
        match self.phase(now) {
            Phase::Live => {
                self.ended_at = Some(now);
                Ok(())
            }
            Phase::Ended => Err(DomainError::new("event", "has already ended")),
            Phase::Scheduled | Phase::DoorsOpen => {
                Err(DomainError::new("event", "has not started yet"))
            }
        }
    }
}

/// "in 1 h 05 min", "in 4 min 09 s", "any moment now": the wait until `starts_at`.
pub fn countdown(now: DateTime<Utc>, starts_at: DateTime<Utc>) -> String {
    match Countdown::until(now, starts_at) {
        Countdown::Now => "any moment now".to_string(),
        Countdown::Secs(s) => format!("in {s} s"),
        Countdown::Mins(m, s) => format!("in {m} min {s:02} s"),
        Countdown::Hours(h, m) => format!("in {h} h {m:02} min"),
        Countdown::Days(d) => format!("in {d} days"),
    }
}

/// The time until the start in the units people count it in: seconds in the last
/// minute, minutes and seconds in the last hour, days from two days out (each page says
/// it in its language: [`countdown`] in English).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Countdown {
    /// The start is here or past.
    Now,
    Secs(i64),
    Mins(i64, i64),
    Hours(i64, i64),
    Days(i64),
}

impl Countdown {
    pub fn until(now: DateTime<Utc>, starts_at: DateTime<Utc>) -> Self {
        let secs = (starts_at - now).num_seconds();
        if secs <= 0 {
            return Countdown::Now;
        }
        let (h, m, s) = (secs / 3600, secs / 60 % 60, secs % 60);
        match (h, m) {
            (0, 0) => Countdown::Secs(s),
            (0, _) => Countdown::Mins(m, s),
            (h, _) if h >= 48 => Countdown::Days(h / 24),
            _ => Countdown::Hours(h, m),
        }
    }
}

/// Who a secret role link lets in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Presenter,
    /// The co-instructor who moderates questions.
    Moderator,
}

impl Role {
    pub const ALL: [Role; 2] = [Role::Presenter, Role::Moderator];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Presenter => "presenter",
            Role::Moderator => "moderator",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|role| role.as_str() == raw)
    }

    /// The page a role link leads to, below `/e/{slug}`.
    pub fn page(self) -> &'static str {
        match self {
            Role::Presenter => "present",
            Role::Moderator => "moderate",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn draft() -> EventDraft {
        EventDraft {
            title: "Dask tutorial".into(),
            hosts: "Jacob and Naty".into(),
            starts_at: "2026-05-14T17:00".into(),
            time_zone: "Europe/London".into(),
            materials: vec![Material {
                label: "Repository".into(),
                url: "https://example.org/repo".into(),
            }],
            sections: vec![SectionDraft {
                title: "Overview".into(),
                kind: SectionKind::Teaching,
                minutes: 10,
                exercise_minutes: 0,
            }],
            doors_open_minutes: None,
            survey_url: None,
            pace_expiry_minutes: None,
            pre_moderation: false,
            hide_poll_results: false,
            word_filter: Default::default(),
            survey: Vec::new(),
            registration: None,
            call: Default::default(),
        }
    }

    #[test]
    fn pace_votes_expire_after_five_minutes_unless_the_event_says_otherwise() {
        assert_eq!(draft().parse().unwrap().pace_expiry_minutes, 5);
        let with = |m| {
            EventDraft {
                pace_expiry_minutes: Some(m),
                ..draft()
            }
            .parse()
        };
        assert_eq!(with(10).unwrap().pace_expiry_minutes, 10);
        assert_eq!(with(0).unwrap_err().field, "pace_expiry_minutes");
    }

    #[test]
    fn a_survey_link_is_optional_but_must_be_a_web_link() {
        let with = |url: &str| {
            EventDraft {
                survey_url: Some(url.into()),
                ..draft()
            }
            .parse()
        };
        assert_eq!(with("").unwrap().survey_url, None);
        assert_eq!(
            with(" https://forms.example.org/x ")
                .unwrap()
                .survey_url
                .as_deref(),
            Some("https://forms.example.org/x")
        );
        assert_eq!(with("javascript:alert(1)").unwrap_err().field, "survey_url");
    }

    #[test]
    fn a_complete_draft_parses_with_its_start_in_utc() {
        let event = draft().parse().unwrap();
        assert_eq!(
            event.starts_at.to_rfc3339(),
            "2026-05-14T16:00:00+00:00",
            "London is on summer time in May"
        );
        assert_eq!(event.time_zone, chrono_tz::Europe::London);
    }

    #[test]
    fn an_unknown_time_zone_is_refused_by_name() {
        let err = EventDraft {
            time_zone: "Mars/Olympus".into(),
            ..draft()
        }
        .parse()
        .unwrap_err();
        assert_eq!(err.field, "time_zone");
        assert!(err.message.contains("Mars/Olympus"));
    }

    #[test]
    fn a_start_inside_a_clock_change_gap_is_refused() {
        let err = EventDraft {
            starts_at: "2026-03-29T01:30".into(),
            ..draft()
        }
        .parse()
        .unwrap_err();
        assert_eq!(err.field, "starts_at");
    }

    #[test]
    fn an_agenda_needs_sections_with_sane_minutes() {
        assert_eq!(
            EventDraft {
                sections: vec![],
                ..draft()
            }
            .parse()
            .unwrap_err()
            .field,
            "sections"
        );
        let mut zero = draft();
        zero.sections[0].minutes = 0;
        assert_eq!(zero.parse().unwrap_err().field, "sections[1].minutes");
        let mut split = draft();
        split.sections[0].exercise_minutes = 11;
        assert_eq!(
            split.parse().unwrap_err().field,
            "sections[1].exercise_minutes"
        );
    }

    #[test]
    fn materials_must_be_web_links() {
        let mut bad = draft();
        bad.materials[0].url = "javascript:alert(1)".into();
        assert_eq!(bad.parse().unwrap_err().field, "materials[1].url");
    }

    #[test]
    fn overlong_titles_are_refused() {
        let err = EventDraft {
            title: "x".repeat(121),
            ..draft()
        }
        .parse()
        .unwrap_err();
        assert_eq!(err.field, "title");
        assert!(err.message.contains("too long"));
    }

    #[test]
    fn slugs_come_from_titles_and_stay_url_safe() {
        assert_eq!(
            Slug::from_title("Dask Tutorial, May!", "x7k2").as_str(),
            "dask-tutorial-may-x7k2"
        );
        assert_eq!(Slug::from_title("¿¿¿", "x7k2").as_str(), "x7k2");
        let long = Slug::from_title(&"word ".repeat(40), "abcd");
        assert!(long.as_str().len() <= Slug::MAX_LEN);
        assert!(Slug::parse(long.as_str()).is_ok());
    }

    #[test]
    fn slug_parse_refuses_what_a_url_would_mangle() {
        for bad in [
            "",
            "Upper",
            "with space",
            "-edge",
            "edge-",
            "a/b",
            &"a".repeat(61),
        ] {
            assert!(Slug::parse(bad).is_err(), "{bad:?} should be refused");
        }
        assert!(Slug::parse("dask-2026").is_ok());
    }

    fn at(hhmm: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(&format!("2026-12-10T{hhmm}:00Z"))
            .unwrap()
            .with_timezone(&Utc)
    }

    fn lifecycle() -> Lifecycle {
        Lifecycle {
            starts_at: at("17:00"),
            doors_open_minutes: 30,
            started_at: None,
            ended_at: None,
        }
    }

    #[test]
    fn doors_open_by_the_clock_before_the_start() {
        let event = lifecycle();
        assert_eq!(event.phase(at("16:29")), Phase::Scheduled);
        assert_eq!(event.phase(at("16:30")), Phase::DoorsOpen);
        assert_eq!(
            event.phase(at("17:10")),
            Phase::DoorsOpen,
            "late start: still waiting until Start"
        );
    }

    #[test]
    fn start_and_end_follow_the_presenter() {
        let mut event = lifecycle();
        event.start(at("17:05")).unwrap();
        assert_eq!(event.phase(at("17:06")), Phase::Live);
        assert!(
            event.start(at("17:07")).is_err(),
            "starting twice is refused"
        );
        event.end(at("18:30")).unwrap();
        assert_eq!(event.phase(at("18:31")), Phase::Ended);
        assert!(
            event.start(at("18:32")).is_err(),
            "an ended event stays ended"
        );
        assert!(event.end(at("18:33")).is_err());
    }

    #[test]
    fn an_event_cannot_end_before_it_starts_but_may_start_early() {
        let mut event = lifecycle();
        assert!(event.end(at("16:45")).is_err());
        event.start(at("16:00")).unwrap();
        assert_eq!(event.phase(at("16:01")), Phase::Live);
    }

    #[test]
    fn countdowns_read_naturally() {
        assert_eq!(countdown(at("16:55"), at("17:00")), "in 5 min 00 s");
        assert_eq!(countdown(at("15:49"), at("17:00")), "in 1 h 11 min");
        assert_eq!(countdown(at("17:01"), at("17:00")), "any moment now");
    }

    #[test]
    fn planned_minutes_add_up_the_agenda() {
        let sections = vec![
            Section {
                title: "a".into(),
                kind: SectionKind::Teaching,
                minutes: 10,
                exercise_minutes: 0,
            },
            Section {
                title: "b".into(),
                kind: SectionKind::Lab,
                minutes: 15,
                exercise_minutes: 10,
            },
        ];
        assert_eq!(planned_minutes(&sections), 25);
    }
}
