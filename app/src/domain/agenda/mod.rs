//! The agenda as it runs: the sections (as planned, then added to, reordered, extended
//! and skipped live) and the section clock the presenter drives.
//!
//! The server is the clock's authority. It stores only moments and totals: which section
//! is current, since when it runs (or that it is paused), and the time each section has
//! run so far. Every page computes what it shows — elapsed, left, over, projected
//! finish — from those and its own estimate of the server's time, so a reload, a
//! reconnect or a restarted server shows the same clock.
//!
//! Every change makes a new [`Agenda`] with a `version` one higher; a change made from
//! an older version is refused, so two presenters pressing Next at once move one section.
//!
//! Here: the agenda and its rules ([`Agenda::apply`]); in [`wire`], the small form
//! snapshots carry; in [`text`], how its clock reads in words.

mod text;
mod wire;

pub use text::{Remaining, clock_text, finish_text, left_text, span_text};
pub use wire::{AgendaWire, SectionWire};

use super::DomainError;
use super::event::{MAX_SECTION_MINUTES, MAX_SECTIONS, Section, SectionDraft};
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

/// A section's id within its event: stable through reorders, so a section's time, its
/// polls and its pace history stay with it.
pub type SectionId = u32;

/// How much a press of "+5" extends the current section.
pub const EXTEND_MINUTES: u32 = 5;
/// A section is "close" to its plan in its last fifth, and at least its last minute.
const CLOSE_SHARE: f64 = 0.2;

/// One section of the running agenda.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AgendaSection {
    pub id: SectionId,
    #[serde(flatten)]
    pub section: Section,
    /// Minutes added live with "+5" (on top of the planned `minutes`).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub extra_minutes: u32,
    /// Skipped sections are not run and do not count in the projected finish.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub skipped: bool,
    /// Milliseconds the section's clock has run, not counting the current run.
    #[serde(default, skip_serializing_if = "is_zero_i64")]
    pub spent_ms: i64,
    /// When the section first became current.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_started_at: Option<DateTime<Utc>>,
}

fn is_zero(n: &u32) -> bool {
    *n == 0
}

fn is_zero_i64(n: &i64) -> bool {
    *n == 0
}

impl AgendaSection {
    /// All the minutes it may take: the plan and what was added live.
    pub fn planned_minutes(&self) -> u32 {
        self.section.minutes + self.extra_minutes
    }

    fn planned(&self) -> Duration {
        Duration::minutes(i64::from(self.planned_minutes()))
    }

    /// Run (not skipped) and never current: still ahead.
    fn is_done(&self) -> bool {
        self.first_started_at.is_some()
    }
}

/// The running agenda of one event.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Agenda {
    /// One higher with every change; a change made from an older version is refused.
    pub version: u64,
    pub sections: Vec<AgendaSection>,
    /// The section being taught, once the presenter has begun.
    #[serde(default)]
    pub current: Option<SectionId>,
    /// When the current section became current (Begin, Next, Back): pace votes cast
    /// before it are about an earlier section and no longer count.
    #[serde(default)]
    pub current_since: Option<DateTime<Utc>>,
    /// When the current section's clock last started running; `None` while paused,
    /// before the first section and after the last.
    #[serde(default)]
    pub running_since: Option<DateTime<Utc>>,
    /// The minutes the agenda had when the event was announced: with the start, the
    /// scheduled end that "late" and "early" are measured against.
    pub scheduled_minutes: u32,
    /// The presenter finished the agenda (the event ended).
    #[serde(default)]
    pub finished: bool,
}

/// What the presenter does to the agenda.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "do", rename_all = "snake_case")]
pub enum AgendaCommand {
    /// Starts the first section that is not skipped.
    Begin,
    Next,
    Back,
    Pause,
    Resume,
    /// Adds [`EXTEND_MINUTES`] to the current section.
    Extend,
    /// Skips a section ahead (or takes the skip back).
    Skip {
        section: SectionId,
        skipped: bool,
    },
    /// Moves a section to `to` (an index in the list).
    Move {
        section: SectionId,
        to: usize,
    },
    /// Adds a section after `after` (at the end when `None`).
    Add {
        after: Option<SectionId>,
        section: SectionDraft,
    },
    /// Stops the clock for good (the presenter ended the event).
    Finish,
}

/// How the current section stands against its plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Standing {
    OnTime,
    /// In its last stretch (a fifth of its plan, a minute at least).
    Close,
    Over,
}

impl Standing {
    pub fn as_str(self) -> &'static str {
        match self {
            Standing::OnTime => "on-time",
            Standing::Close => "close",
            Standing::Over => "over",
        }
    }
}

impl Agenda {
    /// The agenda as planned, before the event starts.
    pub fn planned(sections: &[Section]) -> Self {
        Self {
            version: 0,
            sections: sections
                .iter()
                .enumerate()
                .map(|(i, section)| AgendaSection {
                    id: i as SectionId + 1,
                    section: section.clone(),
                    extra_minutes: 0,
                    skipped: false,
                    spent_ms: 0,
                    first_started_at: None,
                })
                .collect(),
            current: None,
            current_since: None,
            running_since: None,
            scheduled_minutes: super::event::planned_minutes(sections),
            finished: false,
        }
    }

    pub fn section(&self, id: SectionId) -> Option<&AgendaSection> {
        self.sections.iter().find(|s| s.id == id)
    }

    fn index_of(&self, id: SectionId) -> Option<usize> {
        self.sections.iter().position(|s| s.id == id)
    }

    pub fn current_section(&self) -> Option<&AgendaSection> {
        self.section(self.current?)
    }

    /// The first section after the current one that will run.
    pub fn next_section(&self) -> Option<&AgendaSection> {
        let from = match self.current.and_then(|id| self.index_of(id)) {
            Some(i) => i + 1,
            None if self.current_since.is_none() => 0,
            None => return None,
        };
        self.sections[from.min(self.sections.len())..]
            .iter()
            .find(|s| !s.skipped)
    }

    pub fn is_paused(&self) -> bool {
        self.current.is_some() && self.running_since.is_none() && !self.finished
    }

    /// How long a section has run by `now`.
    pub fn elapsed(&self, id: SectionId, now: DateTime<Utc>) -> Duration {
        let Some(section) = self.section(id) else {
            return Duration::zero();
        };
        let running = match (self.current, self.running_since) {
            (Some(current), Some(since)) if current == id => (now - since).max(Duration::zero()),
            _ => Duration::zero(),
        };
        Duration::milliseconds(section.spent_ms) + running
    }

    /// Time left in the current section's plan by `now` (negative when over).
    pub fn left(&self, now: DateTime<Utc>) -> Option<Duration> {
        let current = self.current_section()?;
        Some(current.planned() - self.elapsed(current.id, now))
    }

    pub fn standing(&self, now: DateTime<Utc>) -> Option<Standing> {
        let left = self.left(now)?;
        let planned = self.current_section()?.planned();
        let close = Duration::milliseconds(
            ((planned.num_milliseconds() as f64) * CLOSE_SHARE).max(60_000.0) as i64,
        );
        Some(if left < Duration::zero() {
            Standing::Over
        } else if left <= close {
            Standing::Close
        } else {
            Standing::OnTime
        })
    }

    /// When the agenda will end if every section still to come takes its plan and the
    /// current one takes the rest of its plan (or ends now, when over). Before the first
    /// section it starts at `starts_at`, or now if that has passed.
    pub fn projected_finish(&self, starts_at: DateTime<Utc>, now: DateTime<Utc>) -> DateTime<Utc> {
        let current = self.current.and_then(|id| self.index_of(id));
        let mut at = match (current, self.current_since) {
            (Some(i), _) => {
                let section = &self.sections[i];
                now + (section.planned() - self.elapsed(section.id, now)).max(Duration::zero())
            }
            // Finished: the agenda ended when its last section stopped.
            (None, Some(_)) => return now,
            (None, None) => starts_at.max(now),
        };
        let ahead = match current {
            Some(i) => &self.sections[i + 1..],
            None => &self.sections[..],
        };
        for section in ahead.iter().filter(|s| !s.skipped) {
            let spent = Duration::milliseconds(section.spent_ms);
            at += (section.planned() - spent).max(Duration::zero());
        }
        at
    }

    /// The end the event was announced with.
    pub fn scheduled_end(&self, starts_at: DateTime<Utc>) -> DateTime<Utc> {
        starts_at + Duration::minutes(i64::from(self.scheduled_minutes))
    }

    /// Applies a command made at `now` from version `from`, giving the next agenda.
    pub fn apply(
        &self,
        from: u64,
        command: &AgendaCommand,
        now: DateTime<Utc>,
    ) -> Result<Agenda, DomainError> {
        if from != self.version {
            return Err(DomainError::new(
                "agenda",
                "changed a moment ago on another screen; look again and retry",
            ));
        }
        if self.finished && !matches!(command, AgendaCommand::Finish) {
            return Err(DomainError::new(
                "agenda",
                "is finished: the tutorial has ended",
            ));
        }
        let mut next = self.clone();
        next.version += 1;
        match command {
            AgendaCommand::Begin => {
                if self.current_since.is_some() {
                    return Err(DomainError::new("agenda", "has already begun"));
                }
                let first = self
                    .next_section()
                    .ok_or_else(|| DomainError::new("agenda", "has no section to begin with"))?
                    .id;
                next.enter(first, now);
            }
            AgendaCommand::Next => {
                let to = self
                    .next_section()
                    .filter(|_| self.current.is_some())
                    .ok_or_else(|| {
                        DomainError::new(
                            "agenda",
                            "has no next section; end the tutorial when you are done",
                        )
                    })?
                    .id;
                next.leave(now);
                next.enter(to, now);
            }
            AgendaCommand::Back => {
                let at = self
                    .current
                    .and_then(|id| self.index_of(id))
                    .ok_or_else(|| DomainError::new("agenda", "has not begun"))?;
                let to = self.sections[..at]
                    .iter()
                    .rev()
                    .find(|s| !s.skipped)
                    .ok_or_else(|| DomainError::new("agenda", "is at its first section"))?
                    .id;
                next.leave(now);
                next.enter(to, now);
            }
            AgendaCommand::Pause => {
                if self.current.is_none() || self.running_since.is_none() {
                    return Err(DomainError::new("clock", "is not running"));
                }
                next.leave(now);
            }
            AgendaCommand::Resume => {
                if !self.is_paused() {
                    return Err(DomainError::new("clock", "is not paused"));
                }
                next.running_since = Some(now);
            }
            AgendaCommand::Extend => {
                let id = self
                    .current
                    .ok_or_else(|| DomainError::new("agenda", "has no current section"))?;
                let section = next.section_mut(id);
                if section.planned_minutes() + EXTEND_MINUTES > MAX_SECTION_MINUTES {
                    return Err(DomainError::new(
                        "section",
                        format!("cannot run longer than {MAX_SECTION_MINUTES} minutes"),
                    ));
                }
                section.extra_minutes += EXTEND_MINUTES;
            }
            AgendaCommand::Skip { section, skipped } => {
                let target = self
                    .section(*section)
                    .ok_or_else(|| DomainError::new("section", "is not in this agenda"))?;
                if self.current == Some(*section) {
                    return Err(DomainError::new(
                        "section",
                        "is running now; press Next to move on",
                    ));
                }
                if target.is_done() && *skipped {
                    return Err(DomainError::new("section", "has already run"));
                }
                next.section_mut(*section).skipped = *skipped;
            }
            AgendaCommand::Move { section, to } => {
                let from = self
                    .index_of(*section)
                    .ok_or_else(|| DomainError::new("section", "is not in this agenda"))?;
                if *to >= self.sections.len() {
                    return Err(DomainError::new("section", "cannot move past the end"));
                }
                let moved = next.sections.remove(from);
                next.sections.insert(*to, moved);
            }
            AgendaCommand::Add { after, section } => {
                if self.sections.len() >= MAX_SECTIONS {
                    return Err(DomainError::new(
                        "sections",
                        format!("at most {MAX_SECTIONS} sections"),
                    ));
                }
                let parsed = Section::parse(self.sections.len(), section)?;
                let at = match after {
                    Some(id) => {
                        self.index_of(*id)
                            .ok_or_else(|| DomainError::new("section", "is not in this agenda"))?
                            + 1
                    }
                    None => self.sections.len(),
                };
                let id = self.sections.iter().map(|s| s.id).max().unwrap_or(0) + 1;
                next.sections.insert(
                    at,
                    AgendaSection {
                        id,
                        section: parsed,
                        extra_minutes: 0,
                        skipped: false,
                        spent_ms: 0,
                        first_started_at: None,
                    },
                );
            }
            AgendaCommand::Finish => {
                if self.finished {
                    return Err(DomainError::new("agenda", "is already finished"));
                }
                next.leave(now);
                next.current = None;
                next.finished = true;
            }
        }
        Ok(next)
    }

    fn section_mut(&mut self, id: SectionId) -> &mut AgendaSection {
        let i = self.index_of(id).unwrap_or_default();
        &mut self.sections[i]
    }

    /// Stops the current section's clock, keeping the time it ran.
    fn leave(&mut self, now: DateTime<Utc>) {
        if let (Some(id), Some(since)) = (self.current, self.running_since.take()) {
            let ran = (now - since).max(Duration::zero()).num_milliseconds();
            self.section_mut(id).spent_ms += ran;
        }
    }

    /// Makes a section current, with its clock running from `now`.
    fn enter(&mut self, id: SectionId, now: DateTime<Utc>) {
        self.current = Some(id);
        self.current_since = Some(now);
        self.running_since = Some(now);
        self.section_mut(id).first_started_at.get_or_insert(now);
    }
}

/// What the agenda's tests (here and in `wire`, `text`) start from.
#[cfg(test)]
mod fixtures {
    use super::*;
    use crate::domain::event::SectionKind;

    pub fn at(hhmmss: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(&format!("2026-12-10T{hhmmss}Z"))
            .unwrap()
            .with_timezone(&Utc)
    }

    fn section(title: &str, kind: SectionKind, minutes: u32) -> Section {
        Section {
            title: title.into(),
            kind,
            minutes,
            exercise_minutes: 0,
        }
    }

    /// Overview 10 · Lab 20 · Break 5 · Wrap-up 10: 45 minutes from 17:00.
    pub fn agenda() -> Agenda {
        Agenda::planned(&[
            section("Overview", SectionKind::Teaching, 10),
            section("First lab", SectionKind::Lab, 20),
            section("Break", SectionKind::Break, 5),
            section("Wrap-up", SectionKind::Qa, 10),
        ])
    }

    pub fn run(agenda: &Agenda, command: AgendaCommand, now: &str) -> Agenda {
        agenda.apply(agenda.version, &command, at(now)).unwrap()
    }
}

#[cfg(test)]
mod tests {
    use super::fixtures::{agenda, at, run};
    use super::*;
    use crate::domain::event::SectionKind;

    #[test]
    fn the_clock_counts_from_begin_and_each_section_keeps_its_time() {
        let a = run(&agenda(), AgendaCommand::Begin, "17:00:00");
        assert_eq!(a.current, Some(1));
        assert_eq!(a.elapsed(1, at("17:04:30")), Duration::seconds(270));
        let a = run(&a, AgendaCommand::Next, "17:12:00");
        assert_eq!(a.current, Some(2));
        assert_eq!(
            a.elapsed(1, at("17:30:00")),
            Duration::minutes(12),
            "a finished section's clock stops"
        );
        assert_eq!(a.elapsed(2, at("17:15:00")), Duration::minutes(3));
        assert_eq!(a.standing(at("17:15:00")), Some(Standing::OnTime));
    }

    #[test]
    fn pauses_do_not_count_and_resume_picks_up_where_it_stopped() {
        let a = run(&agenda(), AgendaCommand::Begin, "17:00:00");
        let a = run(&a, AgendaCommand::Pause, "17:03:00");
        assert!(a.is_paused());
        assert_eq!(a.elapsed(1, at("17:09:00")), Duration::minutes(3));
        let a = run(&a, AgendaCommand::Resume, "17:10:00");
        assert_eq!(a.elapsed(1, at("17:11:00")), Duration::minutes(4));
        assert!(
            a.apply(a.version, &AgendaCommand::Resume, at("17:12:00"))
                .is_err(),
            "resuming a running clock is refused"
        );
    }

    #[test]
    fn extending_moves_the_plan_and_the_standing() {
        let a = run(&agenda(), AgendaCommand::Begin, "17:00:00");
        assert_eq!(a.standing(at("17:08:30")), Some(Standing::Close));
        assert_eq!(a.standing(at("17:11:00")), Some(Standing::Over));
        assert_eq!(a.left(at("17:11:00")), Some(Duration::minutes(-1)));
        let a = run(&a, AgendaCommand::Extend, "17:11:00");
        assert_eq!(a.current_section().unwrap().planned_minutes(), 15);
        assert_eq!(a.standing(at("17:11:00")), Some(Standing::OnTime));
        assert_eq!(a.left(at("17:11:00")), Some(Duration::minutes(4)));
    }

    #[test]
    fn the_projected_finish_follows_the_clock_skips_and_additions() {
        let a = agenda();
        assert_eq!(a.scheduled_end(at("17:00:00")), at("17:45:00"));
        assert_eq!(
            a.projected_finish(at("17:00:00"), at("16:50:00")),
            at("17:45:00"),
            "before the start the plan is the projection"
        );
        // Starting five minutes late and overrunning the overview by three more.
        let a = run(&a, AgendaCommand::Begin, "17:05:00");
        let now = at("17:18:00");
        assert_eq!(a.projected_finish(at("17:00:00"), now), at("17:53:00"));
        assert_eq!(
            finish_text(
                a.projected_finish(at("17:00:00"), now),
                a.scheduled_end(at("17:00:00"))
            ),
            "On pace to finish 8 min late"
        );
        // Skipping the break wins five minutes back.
        let a = run(
            &a,
            AgendaCommand::Skip {
                section: 3,
                skipped: true,
            },
            "17:18:00",
        );
        assert_eq!(a.projected_finish(at("17:00:00"), now), at("17:48:00"));
        // Adding a ten-minute section costs ten.
        let a = run(
            &a,
            AgendaCommand::Add {
                after: Some(2),
                section: SectionDraft {
                    title: "Extra demo".into(),
                    kind: SectionKind::Teaching,
                    minutes: 10,
                    exercise_minutes: 0,
                },
            },
            "17:18:00",
        );
        assert_eq!(a.sections[2].section.title, "Extra demo");
        assert_eq!(a.sections[2].id, 5, "new sections get a fresh id");
        assert_eq!(a.projected_finish(at("17:00:00"), now), at("17:58:00"));
    }

    #[test]
    fn next_jumps_over_skipped_sections_and_back_returns_to_the_clock_it_left() {
        let a = run(&agenda(), AgendaCommand::Begin, "17:00:00");
        let a = run(
            &a,
            AgendaCommand::Skip {
                section: 2,
                skipped: true,
            },
            "17:01:00",
        );
        let a = run(&a, AgendaCommand::Next, "17:10:00");
        assert_eq!(a.current, Some(3), "the skipped lab is jumped over");
        let a = run(&a, AgendaCommand::Back, "17:11:00");
        assert_eq!(a.current, Some(1));
        assert_eq!(
            a.elapsed(1, at("17:12:00")),
            Duration::minutes(11),
            "back resumes the section's own clock"
        );
        assert_eq!(a.elapsed(3, at("17:12:00")), Duration::minutes(1));
        assert_eq!(a.current_since, Some(at("17:11:00")));
        assert!(
            a.apply(a.version, &AgendaCommand::Back, at("17:12:00"))
                .is_err(),
            "nothing before the first section"
        );
    }

    #[test]
    fn reordering_keeps_ids_and_changes_what_comes_next() {
        let a = run(&agenda(), AgendaCommand::Begin, "17:00:00");
        let a = run(&a, AgendaCommand::Move { section: 4, to: 1 }, "17:01:00");
        let order: Vec<SectionId> = a.sections.iter().map(|s| s.id).collect();
        assert_eq!(order, vec![1, 4, 2, 3]);
        assert_eq!(a.next_section().unwrap().section.title, "Wrap-up");
        assert!(
            a.apply(
                a.version,
                &AgendaCommand::Move { section: 4, to: 9 },
                at("17:02:00")
            )
            .is_err()
        );
    }

    #[test]
    fn the_last_section_has_no_next_and_finish_stops_the_clock() {
        let mut a = run(&agenda(), AgendaCommand::Begin, "17:00:00");
        for t in ["17:10:00", "17:30:00", "17:35:00"] {
            a = run(&a, AgendaCommand::Next, t);
        }
        assert_eq!(a.current, Some(4));
        let err = a
            .apply(a.version, &AgendaCommand::Next, at("17:40:00"))
            .unwrap_err();
        assert!(err.message.contains("no next section"), "{err}");
        let a = run(&a, AgendaCommand::Finish, "17:44:00");
        assert!(a.finished);
        assert_eq!(a.current, None);
        assert_eq!(a.elapsed(4, at("18:00:00")), Duration::minutes(9));
        assert!(
            a.apply(a.version, &AgendaCommand::Begin, at("18:00:00"))
                .is_err()
        );
    }

    #[test]
    fn a_command_from_a_stale_version_is_refused() {
        let a = run(&agenda(), AgendaCommand::Begin, "17:00:00");
        let err = a
            .apply(a.version - 1, &AgendaCommand::Next, at("17:05:00"))
            .unwrap_err();
        assert_eq!(err.field, "agenda");
    }

    #[test]
    fn the_running_section_and_a_done_one_cannot_be_skipped() {
        let a = run(&agenda(), AgendaCommand::Begin, "17:00:00");
        let skip = |a: &Agenda, section| {
            a.apply(
                a.version,
                &AgendaCommand::Skip {
                    section,
                    skipped: true,
                },
                at("17:20:00"),
            )
        };
        assert!(skip(&a, 1).is_err());
        let a = run(&a, AgendaCommand::Next, "17:10:00");
        assert!(skip(&a, 1).is_err());
        assert!(skip(&a, 9).is_err(), "unknown sections are refused");
    }
}
