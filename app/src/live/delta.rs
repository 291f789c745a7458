//! Changes as small messages: what differs between two public snapshots, and how a page
//! applies it.
//!
//! The hub numbers every snapshot it publishes (`seq`). A [`LiveDelta`] carries the
//! fields that changed from snapshot `from` to snapshot `seq`, and nothing else: a vote
//! is the pace counts and two numbers, about 90 bytes, where the whole state is
//! hundreds to thousands. A page applies a delta only onto the state it was made
//! from ([`LiveSnapshot::apply`]); any other number is a gap, and the page asks for the
//! whole state again (`ClientMsg::Resync`).
//!
//! Deltas leave out the server's clock (`now`): a page measures its clock's offset on
//! the snapshots it gets when it joins and resyncs.

use super::{LiveSnapshot, Online, StaffSnapshot};
use crate::domain::agenda::AgendaWire;
use crate::domain::checkin::CheckInTally;
use crate::domain::help::HelpLine;
use crate::domain::lab::LabCounts;
use crate::domain::overlay::OverlayView;
use crate::domain::pace::PaceCounts;
use crate::domain::poll::PollView;
use crate::domain::question::{QuestionId, QuestionState, QuestionView};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Deserializer, Serialize};

/// What changed between two public snapshots: each field is absent when it did not
/// change. A field that may be absent from a snapshot (`poll`, say) is `null` here
/// when it went away. A whole snapshot reads as a delta with every field (from
/// nothing): pages have one reader for both.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct LiveDelta {
    /// The snapshot this applies to (none in a whole snapshot).
    #[serde(default)]
    pub from: u64,
    /// The snapshot it makes.
    pub seq: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pace: Option<PaceCounts>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub online: Option<Online>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "present"
    )]
    pub started_at: Option<Option<DateTime<Utc>>>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "present"
    )]
    pub ended_at: Option<Option<DateTime<Utc>>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub checkins: Option<CheckInTally>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agenda: Option<AgendaWire>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "present"
    )]
    pub poll: Option<Option<PollView>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lab: Option<LabCounts>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub help: Option<HelpLine>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub questions: Option<Vec<QuestionView>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hidden_questions: Option<Vec<(QuestionId, QuestionState)>>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "present"
    )]
    pub overlay: Option<Option<OverlayView>>,
    /// Only in whole snapshots: the server's clock, the staff's part.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub now: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub staff: Option<StaffSnapshot>,
}

impl From<LiveDelta> for LiveSnapshot {
    /// A whole snapshot, read as a delta from nothing.
    fn from(delta: LiveDelta) -> Self {
        let mut snapshot = LiveSnapshot::default();
        snapshot.take(delta);
        snapshot
    }
}

/// A field that is there, even as `null` (which says "it went away"): `Some(None)`.
fn present<'de, D: Deserializer<'de>, T: Deserialize<'de>>(
    deserializer: D,
) -> Result<Option<T>, D::Error> {
    T::deserialize(deserializer).map(Some)
}

/// What [`LiveSnapshot::apply`] did with a delta.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Applied {
    /// The state is now the delta's `seq`.
    Applied,
    /// The delta is not newer than the state: nothing to do.
    Stale,
    /// The delta follows a snapshot this page never had: it was not applied; ask for
    /// the whole state.
    Gap,
}

/// `Some(new)` when it differs from `old`.
fn changed<T: PartialEq + Clone>(old: &T, new: &T) -> Option<T> {
    (old != new).then(|| new.clone())
}

impl LiveSnapshot {
    /// What changed from `older` to this snapshot (the staff's part and the clock left
    /// out: deltas are for the public snapshots).
    pub fn delta_since(&self, older: &LiveSnapshot) -> LiveDelta {
        LiveDelta {
            from: older.seq,
            seq: self.seq,
            pace: changed(&older.pace, &self.pace),
            online: changed(&older.online, &self.online),
            started_at: changed(&older.started_at, &self.started_at),
            ended_at: changed(&older.ended_at, &self.ended_at),
            checkins: changed(&older.checkins, &self.checkins),
            agenda: changed(&older.agenda, &self.agenda),
            poll: changed(&older.poll, &self.poll),
            lab: changed(&older.lab, &self.lab),
            help: changed(&older.help, &self.help),
            questions: changed(&older.questions, &self.questions),
            hidden_questions: changed(&older.hidden_questions, &self.hidden_questions),
            overlay: changed(&older.overlay, &self.overlay),
            now: None,
            staff: None,
        }
    }

    /// Sets every field `delta` carries.
    fn take(&mut self, delta: LiveDelta) {
        let LiveDelta {
            from: _,
            seq,
            pace,
            online,
            started_at,
            ended_at,
            checkins,
            agenda,
            poll,
            lab,
            help,
            questions,
            hidden_questions,
            overlay,
            now,
            staff,
        } = delta;
        self.seq = seq;
        fn set<T>(field: &mut T, value: Option<T>) {
            if let Some(value) = value {
                *field = value;
            }
        }
        set(&mut self.pace, pace);
        set(&mut self.online, online);
        set(&mut self.started_at, started_at);
        set(&mut self.ended_at, ended_at);
        set(&mut self.checkins, checkins);
        set(&mut self.agenda, agenda);
        set(&mut self.poll, poll);
        set(&mut self.lab, lab);
        set(&mut self.help, help);
        set(&mut self.questions, questions);
        set(&mut self.hidden_questions, hidden_questions);
        set(&mut self.overlay, overlay);
        set(&mut self.now, now);
        self.staff = staff.or(self.staff.take());
    }

    /// Applies `delta` when it was made from this very snapshot.
    pub fn apply(&mut self, delta: LiveDelta) -> Applied {
        if delta.seq <= self.seq {
            return Applied::Stale;
        }
        if delta.from != self.seq {
            return Applied::Gap;
        }
        self.take(delta);
        Applied::Applied
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::pace::PaceCounts;
    use crate::live::ServerMsg;

    fn overlay() -> crate::domain::overlay::OverlayView {
        crate::domain::overlay::OverlayView {
            scene: crate::domain::overlay::OverlayScene::Section,
            question: None,
        }
    }

    fn at(seq: u64, faster: u32) -> LiveSnapshot {
        LiveSnapshot {
            seq,
            pace: PaceCounts {
                faster,
                ..PaceCounts::default()
            },
            ..LiveSnapshot::default()
        }
    }

    #[test]
    fn a_vote_is_a_small_message() {
        let before = LiveSnapshot {
            online: Online {
                attendees: 10_000,
                staff: 2,
                screens: 1,
            },
            pace: PaceCounts {
                slower: 1_234,
                just_right: 4_321,
                faster: 4_000,
            },
            ..at(41_000, 0)
        };
        let mut after = before.clone();
        after.seq += 1;
        after.pace.faster += 1;
        after.now += chrono::Duration::milliseconds(10);
        let json = ServerMsg::Delta(after.delta_since(&before)).to_json();
        assert_eq!(
            json,
            r#"{"type":"delta","from":41000,"seq":41001,"pace":{"slower":1234,"just_right":4321,"faster":4001}}"#
        );
        assert!(json.len() <= 100, "{} bytes", json.len());
    }

    #[test]
    fn deltas_applied_in_order_give_the_snapshot() {
        let mut states = vec![at(1, 0)];
        let mut next = at(2, 1);
        states.push(next.clone());
        next.seq = 3;
        next.started_at = Some(Utc::now());
        next.overlay = Some(overlay());
        states.push(next.clone());
        next.seq = 4;
        next.overlay = None;
        next.online.attendees = 7;
        states.push(next.clone());
        next.seq = 5;
        next.pace.slower = 2;
        states.push(next.clone());

        let mut page = states[0].clone();
        for pair in states.windows(2) {
            // Through the wire, as a page gets it.
            let json = ServerMsg::Delta(pair[1].delta_since(&pair[0])).to_json();
            let ServerMsg::Delta(delta) = serde_json::from_str(&json).unwrap() else {
                panic!("{json}");
            };
            assert_eq!(page.apply(delta), Applied::Applied);
        }
        let mut last = states[4].clone();
        last.now = page.now;
        assert_eq!(page, last);
        assert!(page.overlay.is_none(), "a field that went away goes away");
    }

    #[test]
    fn a_gap_is_not_applied_and_an_old_delta_is_ignored() {
        let (one, two, three) = (at(1, 1), at(2, 2), at(3, 3));
        let mut page = one.clone();
        assert_eq!(page.apply(three.delta_since(&two)), Applied::Gap);
        assert_eq!(page, one, "nothing applied");
        assert_eq!(page.apply(two.delta_since(&one)), Applied::Applied);
        assert_eq!(page.apply(two.delta_since(&one)), Applied::Stale);
        // A delta over several snapshots applies when it starts from the page's own.
        let mut page = one.clone();
        assert_eq!(page.apply(three.delta_since(&one)), Applied::Applied);
        assert_eq!(page.pace.faster, 3);
    }

    #[test]
    fn an_unchanged_field_stays_out_and_a_cleared_one_is_null() {
        let mut before = at(1, 0);
        before.poll = None;
        before.overlay = Some(overlay());
        let mut after = before.clone();
        after.seq = 2;
        after.overlay = None;
        let json = ServerMsg::Delta(after.delta_since(&before)).to_json();
        assert_eq!(json, r#"{"type":"delta","from":1,"seq":2,"overlay":null}"#);
        let ServerMsg::Delta(delta) = serde_json::from_str(&json).unwrap() else {
            panic!("{json}");
        };
        assert_eq!(delta.overlay, Some(None));
        assert_eq!(delta.poll, None);
    }
}
