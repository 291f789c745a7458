//! A change to an event's live state: what a room applies, what the store writes (to its
//! table and to the event's change log), and what other replicas read back from that log.
//!
//! Every change sets a value (an attendee's vote, their check-in, the moment the event
//! started), so applying one twice is harmless, and replaying the log in order from any
//! point rebuilds the same state.

use crate::domain::checkin::CheckIn;
use crate::domain::pace::PaceVote;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Change {
    /// An attendee's pace vote; `None` takes it back.
    Pace {
        attendee: String,
        vote: Option<PaceVote>,
    },
    /// An attendee checked in (or changed their check-in).
    CheckIn { attendee: String, check_in: CheckIn },
    /// The presenter's Start; takes effect only on an event not started yet.
    Started { at: DateTime<Utc> },
    /// The presenter's End; takes effect only on a live event.
    Ended { at: DateTime<Utc> },
    /// The presenter or a co-instructor read the new places out.
    PlacesRead { at: DateTime<Utc> },
}

impl Change {
    /// What the change is about, for ordering writes: two changes with the same key must
    /// be written in the order they were made; different keys may go in any order.
    pub fn key(&self) -> &str {
        match self {
            Change::Pace { attendee, .. } | Change::CheckIn { attendee, .. } => attendee,
            Change::Started { .. } | Change::Ended { .. } | Change::PlacesRead { .. } => "",
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
            attendee: "a1".into(),
            vote: Some(PaceVote::Faster),
        };
        let back: Change = serde_json::from_str(&change.to_json()).unwrap();
        assert_eq!(back, change);
        let none = Change::Pace {
            attendee: "a1".into(),
            vote: None,
        };
        assert_eq!(
            serde_json::from_str::<Change>(&none.to_json()).unwrap(),
            none
        );
    }
}
