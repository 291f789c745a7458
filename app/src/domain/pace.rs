//! Pace: each attendee's sticky "slower / just right / faster" and the tally the
//! presenter reads at a glance.
//!
//! The board holds at most one vote per attendee; casting again moves that vote, and
//! casting `None` takes it back. The counts are kept up to date on every cast, so a
//! tally for thousands of attendees costs nothing to read.
//!
//! A vote is about the moment it was cast: it stops counting after the event's expiry
//! time (default [`DEFAULT_EXPIRY_MINUTES`]) and when the section changes. The board
//! drops such votes when told the cut-off ([`PaceBoard::expire`]); the store keeps
//! each vote's time, so a restarted server drops the same ones.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::hash::Hash;

/// How long a pace vote counts unless the event says otherwise.
pub const DEFAULT_EXPIRY_MINUTES: u32 = 5;
/// The longest expiry an organizer may set: a whole tutorial.
pub const MAX_EXPIRY_MINUTES: u32 = 180;

/// The moment before which votes no longer count: `expiry` ago, or when the current
/// section began if that is later.
pub fn cutoff(
    now: DateTime<Utc>,
    expiry_minutes: u32,
    section_since: Option<DateTime<Utc>>,
) -> DateTime<Utc> {
    let expired = now - Duration::minutes(i64::from(expiry_minutes));
    section_since.map_or(expired, |since| since.max(expired))
}

/// When a vote pressed at `now` (a page's reading of the server's clock) was cast:
/// never before the section the page shows began, for a vote is about the section on
/// screen. A page reads the server's clock from the moment its first message is read,
/// so it lags by however long that message waited (a phone still busy hydrating):
/// without this, a vote pressed just after a section began would read as cast before
/// it and show as lapsed the moment it was pressed.
pub fn cast_at(now: DateTime<Utc>, section_since: Option<DateTime<Utc>>) -> DateTime<Utc> {
    section_since.map_or(now, |since| since.max(now))
}

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
    /// Each attendee's current vote and when it was cast; an attendee with no vote (or
    /// an expired one) has no entry.
    votes: HashMap<A, (PaceVote, DateTime<Utc>)>,
    /// Kept in step with `votes` on every cast so reading the tally is O(1).
    counts: PaceCounts,
    /// No vote is older than this: lets [`PaceBoard::expire`] skip the scan when none is.
    oldest: Option<DateTime<Utc>>,
    /// Votes cast before this no longer count (the last cut-off applied).
    cutoff: Option<DateTime<Utc>>,
}

impl<A> Default for PaceBoard<A> {
    fn default() -> Self {
        Self {
            votes: HashMap::new(),
            counts: PaceCounts::default(),
            oldest: None,
            cutoff: None,
        }
    }
}

impl<A: Eq + Hash> PaceBoard<A> {
    /// Records `attendee`'s vote cast `at` (or takes it back with `None`). A vote from
    /// before the last cut-off is ignored. Returns whether the tally changed, so a
    /// repeat of the same vote publishes nothing.
    pub fn cast(&mut self, attendee: A, vote: Option<PaceVote>, at: DateTime<Utc>) -> bool {
        if self.cutoff.is_some_and(|cutoff| at < cutoff) {
            return false;
        }
        let previous = match vote {
            Some(vote) => {
                self.oldest = Some(self.oldest.map_or(at, |oldest| oldest.min(at)));
                self.votes.insert(attendee, (vote, at))
            }
            None => self.votes.remove(&attendee),
        }
        .map(|(vote, _)| vote);
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

    /// Drops the votes cast before `cutoff` (see [`cutoff`]); true when any went.
    pub fn expire(&mut self, cutoff: DateTime<Utc>) -> bool {
        self.cutoff = Some(self.cutoff.map_or(cutoff, |c| c.max(cutoff)));
        if self.oldest.is_none_or(|oldest| oldest >= cutoff) {
            return false;
        }
        let before = self.votes.len();
        self.votes.retain(|_, (_, at)| *at >= cutoff);
        let mut counts = PaceCounts::default();
        for (vote, _) in self.votes.values() {
            *counts.slot(*vote) += 1;
        }
        self.counts = counts;
        self.oldest = self.votes.values().map(|(_, at)| *at).min();
        self.votes.len() != before
    }

    pub fn vote_of<Q: Eq + Hash + ?Sized>(&self, attendee: &Q) -> Option<PaceVote>
    where
        A: std::borrow::Borrow<Q>,
    {
        self.votes.get(attendee).map(|(vote, _)| *vote)
    }

    /// An attendee's vote with when it was cast.
    pub fn cast_of<Q: Eq + Hash + ?Sized>(&self, attendee: &Q) -> Option<(PaceVote, DateTime<Utc>)>
    where
        A: std::borrow::Borrow<Q>,
    {
        self.votes.get(attendee).copied()
    }

    pub fn counts(&self) -> PaceCounts {
        self.counts
    }
}

/// How often a room writes down its pace tally for the trend and the history.
pub const SAMPLE_SECONDS: i64 = 30;

/// The start of the sample slot `now` is in, for the room of event `event_id`. Each
/// room's slots are shifted by a whole number of seconds taken from its id, so that on a
/// campus of many live rooms the samples (each written in its own commit) are spread
/// over the half minute instead of all falling on the same tick.
pub fn sample_slot(now: DateTime<Utc>, event_id: i64) -> DateTime<Utc> {
    let slot_ms = SAMPLE_SECONDS * 1000;
    let shift_ms = event_id.rem_euclid(SAMPLE_SECONDS) * 1000;
    let into = (now.timestamp_millis() - shift_ms).rem_euclid(slot_ms);
    now - Duration::milliseconds(into)
}

/// How far back the presenter's trend looks.
pub const TREND_MINUTES: i64 = 10;

/// The pace tally at one moment, written down every [`SAMPLE_SECONDS`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PaceSample {
    pub at: DateTime<Utc>,
    /// The section running then.
    pub section: Option<crate::domain::agenda::SectionId>,
    pub counts: PaceCounts,
    /// Attendees connected then: the shares are of them.
    pub online: u32,
}

impl PaceSample {
    pub fn percent(&self, vote: PaceVote) -> u32 {
        self.counts.percent_of(vote, self.online)
    }
}

/// The samples of the last [`TREND_MINUTES`] before `now`, oldest first.
pub fn trend(samples: &[PaceSample], now: DateTime<Utc>) -> Vec<PaceSample> {
    let since = now - Duration::minutes(TREND_MINUTES);
    samples.iter().filter(|s| s.at >= since).copied().collect()
}

/// How the pace felt during one section.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct SectionPace {
    pub section: crate::domain::agenda::SectionId,
    /// The mean share asking for slower / faster over the section's samples.
    pub slower: u32,
    pub faster: u32,
    /// The highest share asking for slower / faster at any sample.
    pub peak_slower: u32,
    pub peak_faster: u32,
}

/// Per section, in the order sections first appear in the samples.
pub fn history(samples: &[PaceSample]) -> Vec<SectionPace> {
    let mut order: Vec<crate::domain::agenda::SectionId> = Vec::new();
    for sample in samples {
        if let Some(section) = sample.section
            && !order.contains(&section)
        {
            order.push(section);
        }
    }
    order
        .into_iter()
        .map(|section| {
            let of: Vec<&PaceSample> = samples
                .iter()
                .filter(|s| s.section == Some(section))
                .collect();
            let mean = |vote| {
                let sum: u32 = of.iter().map(|s| s.percent(vote)).sum();
                (sum + of.len() as u32 / 2) / of.len() as u32
            };
            let peak = |vote| of.iter().map(|s| s.percent(vote)).max().unwrap_or(0);
            SectionPace {
                section,
                slower: mean(PaceVote::Slower),
                faster: mean(PaceVote::Faster),
                peak_slower: peak(PaceVote::Slower),
                peak_faster: peak(PaceVote::Faster),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(minute: i64) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2026-12-10T17:00:00Z")
            .unwrap()
            .with_timezone(&Utc)
            + Duration::minutes(minute)
    }

    #[test]
    fn each_rooms_sample_slots_are_shifted_by_its_id() {
        let at = |secs: i64| t(0) + Duration::seconds(secs);
        // Event 30's slots start on the half minute; event 7's seven seconds later.
        assert_eq!(sample_slot(at(29), 30), at(0));
        assert_eq!(sample_slot(at(30), 30), at(30));
        assert_eq!(sample_slot(at(6), 7), at(-23));
        assert_eq!(sample_slot(at(7), 7), at(7));
        assert_eq!(sample_slot(at(36), 7), at(7));
        assert_eq!(sample_slot(at(37), 7), at(37));
        // Within a millisecond of the edge.
        let edge = at(37) - Duration::milliseconds(1);
        assert_eq!(sample_slot(edge, 7), at(7));
        // Thirty rooms in a row start their slots in thirty different seconds.
        let starts: std::collections::HashSet<DateTime<Utc>> =
            (100..130).map(|id| sample_slot(at(0), id)).collect();
        assert_eq!(starts.len(), 30);
    }

    #[test]
    fn a_vote_pressed_by_a_page_whose_clock_lags_counts_in_the_section_on_screen() {
        // The section began at 3 (server's clock); the page reads 2:30 when its
        // attendee presses, half a minute behind.
        let pressed = t(2) + Duration::seconds(30);
        let cast = cast_at(pressed, Some(t(3)));
        assert_eq!(cast, t(3));
        assert!(cast >= cutoff(pressed, 5, Some(t(3))), "it counts at once");
        assert!(cast >= cutoff(t(7) + Duration::seconds(59), 5, Some(t(3))));
        assert!(
            cast < cutoff(t(8) + Duration::seconds(1), 5, Some(t(3))),
            "then expires"
        );
        assert!(
            cast < cutoff(t(4), 5, Some(t(4))),
            "and the next section lets it go"
        );
        // A clock that does not lag, or no section: the moment pressed.
        assert_eq!(cast_at(t(4), Some(t(3))), t(4));
        assert_eq!(cast_at(t(4), None), t(4));
    }

    #[test]
    fn each_attendee_has_one_live_vote() {
        let mut board = PaceBoard::default();
        board.cast("ana", Some(PaceVote::Slower), t(0));
        board.cast("ana", Some(PaceVote::Slower), t(0));
        board.cast("ben", Some(PaceVote::Faster), t(0));
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
        board.cast(1, Some(PaceVote::Slower), t(0));
        assert!(board.cast(1, Some(PaceVote::JustRight), t(0)));
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
        board.cast(1, Some(PaceVote::Faster), t(0));
        assert!(board.cast(1, None, t(0)));
        assert_eq!(board.counts().total(), 0);
        assert_eq!(board.vote_of(&1), None);
        assert!(
            !board.cast(1, None, t(0)),
            "taking back a vote that is not there changes nothing"
        );
    }

    #[test]
    fn repeating_a_vote_reports_no_change() {
        let mut board = PaceBoard::default();
        assert!(board.cast(7, Some(PaceVote::Faster), t(0)));
        assert!(!board.cast(7, Some(PaceVote::Faster), t(0)));
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
    fn votes_older_than_the_cutoff_stop_counting() {
        let mut board = PaceBoard::default();
        board.cast("ana", Some(PaceVote::Slower), t(0));
        board.cast("ben", Some(PaceVote::Faster), t(3));
        assert!(
            !board.expire(cutoff(t(4), 5, None)),
            "nothing is five minutes old yet"
        );
        assert!(
            !board.expire(cutoff(t(5), 5, None)),
            "a vote counts for its full five minutes"
        );
        assert!(board.expire(cutoff(t(6), 5, None)));
        assert_eq!(
            board.counts(),
            PaceCounts {
                slower: 0,
                just_right: 0,
                faster: 1
            }
        );
        assert_eq!(board.vote_of("ana"), None);
        assert!(
            !board.cast("cyd", Some(PaceVote::Slower), t(0)),
            "a vote from before the cutoff (a slow replica) is ignored"
        );
    }

    #[test]
    fn a_new_section_clears_every_vote_cast_before_it() {
        let mut board = PaceBoard::default();
        board.cast("ana", Some(PaceVote::Slower), t(1));
        board.cast("ben", Some(PaceVote::Faster), t(2));
        assert!(board.expire(cutoff(t(3), 5, Some(t(3)))));
        assert_eq!(board.counts().total(), 0);
        assert!(board.cast("ana", Some(PaceVote::JustRight), t(4)));
        assert_eq!(board.counts().just_right, 1);
    }

    fn sample(minute: i64, section: u32, slower: u32, faster: u32, online: u32) -> PaceSample {
        PaceSample {
            at: t(minute),
            section: Some(section),
            counts: PaceCounts {
                slower,
                just_right: 0,
                faster,
            },
            online,
        }
    }

    #[test]
    fn the_trend_keeps_the_last_ten_minutes() {
        let samples: Vec<PaceSample> = (0..30).map(|m| sample(m, 1, 1, 0, 10)).collect();
        let recent = trend(&samples, t(29));
        assert_eq!(recent.first().unwrap().at, t(19));
        assert_eq!(recent.len(), 11);
        assert!(trend(&[], t(0)).is_empty());
    }

    #[test]
    fn history_gives_each_section_its_mean_and_peak_shares() {
        let samples = vec![
            sample(0, 1, 1, 0, 10),
            sample(1, 1, 3, 1, 10),
            sample(2, 2, 0, 5, 10),
            sample(3, 1, 0, 0, 0),
        ];
        let h = history(&samples);
        assert_eq!(h.len(), 2);
        assert_eq!((h[0].section, h[0].slower, h[0].peak_slower), (1, 13, 30));
        assert_eq!((h[0].faster, h[0].peak_faster), (3, 10));
        assert_eq!((h[1].section, h[1].faster), (2, 50));
    }

    #[test]
    fn votes_round_trip_through_their_stored_names() {
        for vote in PaceVote::ALL {
            assert_eq!(PaceVote::parse(vote.as_str()), Some(vote));
        }
        assert_eq!(PaceVote::parse("sideways"), None);
    }
}
