//! A change to an event's live state: what a room applies, what the store writes (to its
//! table and to the event's change log), and what other replicas read back from that log.
//!
//! Every change sets a value (an attendee's vote, their check-in, the moment the event
//! started), so applying one twice is harmless, and replaying the log in order from any
//! point rebuilds the same state.

use crate::domain::agenda::{Agenda, SectionId};
use crate::domain::attendee::AttendeeId;
use crate::domain::checkin::CheckIn;
use crate::domain::help::{HelpAction, Ticket};
use crate::domain::lab::LabState;
use crate::domain::overlay::OverlayScene;
use crate::domain::pace::PaceVote;
use crate::domain::poll::{PollId, PollSpec};
use crate::domain::question::{Question, QuestionId};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Change {
    /// An attendee's pace vote cast `at`; `None` takes it back.
    Pace {
        attendee: AttendeeId,
        vote: Option<PaceVote>,
        /// Changes logged before votes expired carry no time: they count from now.
        #[serde(default = "Utc::now")]
        at: DateTime<Utc>,
    },
    /// An attendee checked in (or changed their check-in).
    CheckIn {
        attendee: AttendeeId,
        check_in: CheckIn,
    },
    /// The presenter's Start; takes effect only on an event not started yet.
    Started { at: DateTime<Utc> },
    /// The presenter's End; takes effect only on a live event.
    Ended { at: DateTime<Utc> },
    /// The presenter or a co-instructor read the new places out.
    PlacesRead { at: DateTime<Utc> },
    /// The agenda after a presenter's command: takes effect only over the version
    /// before it, and a room keeps the highest version it has seen.
    Agenda { agenda: Agenda },
    /// A poll asked (closing the one open); asking the same poll again changes nothing.
    PollAsked { poll: PollSpec, at: DateTime<Utc> },
    /// A poll closed; takes effect only on an open poll.
    PollClosed { poll: PollId, at: DateTime<Utc> },
    /// A closed poll opened again (closing the one open).
    PollReopened { poll: PollId, at: DateTime<Utc> },
    /// A poll's hidden results shown to attendees; takes effect once.
    PollRevealed { poll: PollId, at: DateTime<Utc> },
    /// An attendee's answer to a poll; takes effect only while the poll is open.
    PollAnswered {
        attendee: AttendeeId,
        poll: PollId,
        choice: u8,
        at: DateTime<Utc>,
    },
    /// An attendee's answers to a word cloud (replacing theirs); takes effect only while
    /// it is open. `hide`: the group keys the word filter held back.
    WordsAnswered {
        attendee: AttendeeId,
        poll: PollId,
        answers: Vec<String>,
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        hide: Vec<String>,
        at: DateTime<Utc>,
    },
    /// A word (by its group key) hidden from every cloud, or shown again.
    WordHidden {
        poll: PollId,
        key: String,
        hidden: bool,
    },
    /// An attendee's done/stuck in a lab section; `None` takes it back. Stuck puts them in
    /// the lab's help queue under `ticket` (unless already in it); anything else takes
    /// them out.
    Lab {
        attendee: AttendeeId,
        section: SectionId,
        state: Option<LabState>,
        /// Changes logged before the help queue carry none.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        ticket: Option<Ticket>,
    },
    /// A co-instructor's action on a request in the help queue; a take takes effect only
    /// while nobody else is on it.
    Help {
        ticket: Ticket,
        action: HelpAction,
        at: DateTime<Utc>,
    },
    /// An attendee's question; asking the same question again (a retry) changes nothing.
    QuestionAsked {
        attendee: AttendeeId,
        question: Question,
    },
    /// A question after a moderation: takes effect only over the version before it, and
    /// a room keeps the highest version it has seen.
    QuestionChanged { question: Question },
    /// What the stream overlay shows now.
    Overlay { scene: OverlayScene },
    /// An attendee's upvote (`up`) or its withdrawal.
    QuestionVoted {
        attendee: AttendeeId,
        question: QuestionId,
        up: bool,
    },
}

impl Change {
    /// What the change is about, for ordering writes: two changes with the same key must
    /// be written in the order they were made; different keys may go in any order.
    pub fn key(&self) -> &str {
        match self {
            Change::Pace { attendee, .. }
            | Change::CheckIn { attendee, .. }
            | Change::PollAnswered { attendee, .. }
            | Change::WordsAnswered { attendee, .. }
            | Change::Lab { attendee, .. }
            | Change::QuestionAsked { attendee, .. }
            | Change::QuestionVoted { attendee, .. } => attendee.as_str(),
            Change::Started { .. }
            | Change::Ended { .. }
            | Change::PlacesRead { .. }
            | Change::Agenda { .. }
            | Change::PollAsked { .. }
            | Change::PollClosed { .. }
            | Change::PollReopened { .. }
            | Change::PollRevealed { .. }
            | Change::WordHidden { .. }
            | Change::QuestionChanged { .. }
            | Change::Help { .. }
            | Change::Overlay { .. } => "",
        }
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_through_json() {
        let change = Change::Pace {
            attendee: AttendeeId::parse("a1").unwrap(),
            vote: Some(PaceVote::Faster),
            at: DateTime::from_timestamp_millis(1_800_000_000_123).unwrap(),
        };
        let back: Change = serde_json::from_str(&change.to_json()).unwrap();
        assert_eq!(back, change);
        let none = Change::Pace {
            attendee: AttendeeId::parse("a1").unwrap(),
            vote: None,
            at: DateTime::from_timestamp_millis(1_800_000_000_123).unwrap(),
        };
        assert_eq!(
            serde_json::from_str::<Change>(&none.to_json()).unwrap(),
            none
        );
    }

    #[test]
    fn a_vote_logged_before_votes_had_times_still_reads() {
        let old = r#"{"kind":"pace","attendee":"a1","vote":"slower"}"#;
        assert!(matches!(
            serde_json::from_str::<Change>(old).unwrap(),
            Change::Pace {
                vote: Some(PaceVote::Slower),
                ..
            }
        ));
    }
}
