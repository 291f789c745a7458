//! Pace: each attendee's sticky "slower / just right / faster" and the tally the
//! presenter reads at a glance.
//!
//! The board holds at most one vote per attendee; casting again moves that vote, and
//! casting `None` takes it back. The counts are kept up to date on every cast, so a
//! tally for thousands of attendees costs nothing to read.

use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::hash::Hash;

/// What an attendee asks of the presenter's pace.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PaceVote {
    Slower,
    JustRight,
    Faster,
}

impl PaceVote {
    pub const ALL: [PaceVote; 3] = [PaceVote::Slower, PaceVote::JustRight, PaceVote::Faster];

    /// The stable name used in storage and on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            PaceVote::Slower => "slower",
            PaceVote::JustRight => "just_right",
            PaceVote::Faster => "faster",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|vote| vote.as_str() == raw)
    }

    /// How the choice reads on a button and to a screen reader.
    pub fn label(self) -> &'static str {
        match self {
            PaceVote::Slower => "Slower",
            PaceVote::JustRight => "Just right",
            PaceVote::Faster => "Faster",
        }
    }
}

/// How many attendees currently ask for each pace.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PaceCounts {
    pub slower: u32,
    pub just_right: u32,
    pub faster: u32,
}

impl PaceCounts {
    pub fn get(&self, vote: PaceVote) -> u32 {
        match vote {
            PaceVote::Slower => self.slower,
            PaceVote::JustRight => self.just_right,
            PaceVote::Faster => self.faster,
        }
    }

    fn slot(&mut self, vote: PaceVote) -> &mut u32 {
        match vote {
            PaceVote::Slower => &mut self.slower,
            PaceVote::JustRight => &mut self.just_right,
            PaceVote::Faster => &mut self.faster,
        }
    }

    pub fn total(&self) -> u32 {
        self.slower + self.just_right + self.faster
    }

    /// The share of `out_of` people asking for `vote`, as a whole percentage (0 when
    /// nobody is there). `out_of` is usually the attendees online, so silence counts.
    pub fn percent_of(&self, vote: PaceVote, out_of: u32) -> u32 {
        let out_of = out_of.max(self.total());
        (self.get(vote) * 100 + out_of / 2)
            .checked_div(out_of)
            .unwrap_or(0)
    }
}

/// The live pace votes of one event: one per attendee at most.
#[derive(Debug, Clone)]
pub struct PaceBoard<A> {
    /// Each attendee's current vote; an attendee with no vote has no entry.
    votes: HashMap<A, PaceVote>,
    /// Kept in step with `votes` on every cast so reading the tally is O(1).
    counts: PaceCounts,
}

impl<A> Default for PaceBoard<A> {
    fn default() -> Self {
        Self {
            votes: HashMap::new(),
            counts: PaceCounts::default(),
        }
    }
}

impl<A: Eq + Hash> PaceBoard<A> {
    /// Records `attendee`'s vote (or takes it back with `None`).
    /// Returns whether the tally changed, so a repeat of the same vote publishes nothing.
    pub fn cast(&mut self, attendee: A, vote: Option<PaceVote>) -> bool {
        let previous = match vote {
            Some(vote) => self.votes.insert(attendee, vote),
            None => self.votes.remove(&attendee),
        };
        if previous == vote {
            return false;
        }
        if let Some(old) = previous {
            *self.counts.slot(old) -= 1;
        }
        if let Some(new) = vote {
            *self.counts.slot(new) += 1;
        }
        true
    }

    pub fn vote_of<Q: Eq + Hash + ?Sized>(&self, attendee: &Q) -> Option<PaceVote>
    where
        A: std::borrow::Borrow<Q>,
    {
        self.votes.get(attendee).copied()
    }

    pub fn counts(&self) -> PaceCounts {
        self.counts
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_attendee_has_one_live_vote() {
        let mut board = PaceBoard::default();
        board.cast("ana", Some(PaceVote::Slower));
        board.cast("ana", Some(PaceVote::Slower));
        board.cast("ben", Some(PaceVote::Faster));
        assert_eq!(
            board.counts(),
            PaceCounts {
                slower: 1,
                just_right: 0,
                faster: 1
            }
        );
    }

    #[test]
    fn changing_a_vote_moves_it() {
        let mut board = PaceBoard::default();
        board.cast(1, Some(PaceVote::Slower));
        assert!(board.cast(1, Some(PaceVote::JustRight)));
        assert_eq!(
            board.counts(),
            PaceCounts {
                slower: 0,
                just_right: 1,
                faster: 0
            }
        );
        assert_eq!(board.vote_of(&1), Some(PaceVote::JustRight));
    }

    #[test]
    fn taking_a_vote_back_removes_it() {
        let mut board = PaceBoard::default();
        board.cast(1, Some(PaceVote::Faster));
        assert!(board.cast(1, None));
        assert_eq!(board.counts().total(), 0);
        assert_eq!(board.vote_of(&1), None);
        assert!(
            !board.cast(1, None),
            "taking back a vote that is not there changes nothing"
        );
    }

    #[test]
    fn repeating_a_vote_reports_no_change() {
        let mut board = PaceBoard::default();
        assert!(board.cast(7, Some(PaceVote::Faster)));
        assert!(!board.cast(7, Some(PaceVote::Faster)));
    }

    #[test]
    fn shares_are_of_everyone_online_and_never_divide_by_zero() {
        let counts = PaceCounts {
            slower: 1,
            just_right: 0,
            faster: 3,
        };
        assert_eq!(counts.percent_of(PaceVote::Slower, 10), 10);
        assert_eq!(counts.percent_of(PaceVote::Faster, 10), 30);
        assert_eq!(
            counts.percent_of(PaceVote::Faster, 0),
            75,
            "never fewer people than votes"
        );
        assert_eq!(PaceCounts::default().percent_of(PaceVote::Slower, 0), 0);
    }

    #[test]
    fn votes_round_trip_through_their_stored_names() {
        for vote in PaceVote::ALL {
            assert_eq!(PaceVote::parse(vote.as_str()), Some(vote));
        }
        assert_eq!(PaceVote::parse("sideways"), None);
    }
}
