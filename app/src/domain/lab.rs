//! Lab signals: during a lab attendees press "done" or "stuck", and the presenter sees
//! how the room is doing. A stuck attendee may add a note that goes to the
//! co-instructors. Signals belong to the section they were given in: a new lab starts
//! from zero.

use super::DomainError;
use super::agenda::SectionId;
use super::bounded_text;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::hash::Hash;

pub const MAX_NOTE_CHARS: usize = 500;
/// How many stuck notes the staff screens list (newest first).
pub const NOTES_SHOWN: usize = 20;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LabSignal {
    Done,
    Stuck,
}

impl LabSignal {
    pub fn as_str(self) -> &'static str {
        match self {
            LabSignal::Done => "done",
            LabSignal::Stuck => "stuck",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        [LabSignal::Done, LabSignal::Stuck]
            .into_iter()
            .find(|s| s.as_str() == raw)
    }
}

/// A stuck attendee's words to the co-instructors: plain text, trimmed, at most
/// [`MAX_NOTE_CHARS`] characters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct LabNote(String);

impl LabNote {
    /// A note, or `None` for a blank one: notes are optional.
    pub fn parse(raw: &str) -> Result<Option<Self>, DomainError> {
        let note = bounded_text("note", raw, 0, MAX_NOTE_CHARS)?;
        Ok((!note.is_empty()).then_some(Self(note)))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// One attendee's signal in one section.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LabState {
    pub signal: LabSignal,
    #[serde(default)]
    pub note: Option<LabNote>,
    pub at: DateTime<Utc>,
}

/// How a lab is going, as every screen shows it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LabCounts {
    pub section: Option<SectionId>,
    pub done: u32,
    pub stuck: u32,
}

/// A stuck attendee's note, as the staff screens list it (no attendee id: the
/// co-instructors answer in the call's chat or, later, through the question queue).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StuckNote {
    pub note: LabNote,
    pub at: DateTime<Utc>,
}

impl LabCounts {
    /// No lab running and nothing counted: left out of snapshots.
    pub fn is_empty(&self) -> bool {
        self.section.is_none() && self.done == 0 && self.stuck == 0
    }
}

/// The lab signals of one event, per section.
#[derive(Debug, Clone)]
pub struct LabBoard<A> {
    by_section: HashMap<SectionId, HashMap<A, LabState>>,
}

impl<A> Default for LabBoard<A> {
    fn default() -> Self {
        Self {
            by_section: HashMap::new(),
        }
    }
}

impl<A: Eq + Hash> LabBoard<A> {
    /// Sets (or with `None` takes back) an attendee's signal in a section.
    pub fn set(&mut self, section: SectionId, attendee: A, state: Option<LabState>) {
        let signals = self.by_section.entry(section).or_default();
        match state {
            Some(state) => {
                signals.insert(attendee, state);
            }
            None => {
                signals.remove(&attendee);
            }
        }
    }

    pub fn of<Q: Eq + Hash + ?Sized>(&self, section: SectionId, attendee: &Q) -> Option<&LabState>
    where
        A: std::borrow::Borrow<Q>,
    {
        self.by_section.get(&section)?.get(attendee)
    }

    pub fn counts(&self, section: Option<SectionId>) -> LabCounts {
        let mut counts = LabCounts {
            section,
            ..LabCounts::default()
        };
        if let Some(signals) = section.and_then(|s| self.by_section.get(&s)) {
            for state in signals.values() {
                match state.signal {
                    LabSignal::Done => counts.done += 1,
                    LabSignal::Stuck => counts.stuck += 1,
                }
            }
        }
        counts
    }

    /// The notes of those stuck in a section now, newest first.
    pub fn stuck_notes(&self, section: Option<SectionId>) -> Vec<StuckNote> {
        let Some(signals) = section.and_then(|s| self.by_section.get(&s)) else {
            return Vec::new();
        };
        let mut notes: Vec<StuckNote> = signals
            .values()
            .filter(|s| s.signal == LabSignal::Stuck)
            .filter_map(|s| {
                Some(StuckNote {
                    note: s.note.clone()?,
                    at: s.at,
                })
            })
            .collect();
        notes.sort_by_key(|n| std::cmp::Reverse(n.at));
        notes.truncate(NOTES_SHOWN);
        notes
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn state(signal: LabSignal, note: Option<&str>, second: i64) -> Option<LabState> {
        Some(LabState {
            signal,
            note: note.and_then(|n| LabNote::parse(n).unwrap()),
            at: DateTime::from_timestamp(1_800_000_000 + second, 0).unwrap(),
        })
    }

    #[test]
    fn each_attendee_has_one_signal_per_lab_and_can_change_it() {
        let mut board = LabBoard::default();
        board.set(2, "ana", state(LabSignal::Stuck, Some("kernel died"), 1));
        board.set(2, "ben", state(LabSignal::Done, None, 2));
        board.set(2, "ana", state(LabSignal::Done, None, 3));
        let counts = board.counts(Some(2));
        assert_eq!((counts.done, counts.stuck), (2, 0));
        board.set(2, "ben", None);
        assert_eq!(board.counts(Some(2)).done, 1);
    }

    #[test]
    fn a_new_lab_starts_from_zero() {
        let mut board = LabBoard::default();
        board.set(2, "ana", state(LabSignal::Done, None, 1));
        assert_eq!(
            board.counts(Some(4)),
            LabCounts {
                section: Some(4),
                done: 0,
                stuck: 0
            }
        );
        assert_eq!(board.counts(None).done, 0);
    }

    #[test]
    fn stuck_notes_list_newest_first_and_only_while_stuck() {
        let mut board = LabBoard::default();
        board.set(2, "ana", state(LabSignal::Stuck, Some("import fails"), 1));
        board.set(2, "ben", state(LabSignal::Stuck, Some("no kernel"), 5));
        board.set(2, "cyd", state(LabSignal::Stuck, None, 6));
        let notes: Vec<String> = board
            .stuck_notes(Some(2))
            .into_iter()
            .map(|n| n.note.as_str().to_string())
            .collect();
        assert_eq!(notes, vec!["no kernel", "import fails"]);
        board.set(2, "ben", state(LabSignal::Done, None, 7));
        assert_eq!(board.stuck_notes(Some(2)).len(), 1);
    }

    #[test]
    fn notes_are_optional_and_bounded() {
        assert_eq!(LabNote::parse("  "), Ok(None));
        assert_eq!(
            LabNote::parse(" help ")
                .unwrap()
                .as_ref()
                .map(LabNote::as_str),
            Some("help")
        );
        assert!(LabNote::parse(&"x".repeat(MAX_NOTE_CHARS + 1)).is_err());
    }
}
