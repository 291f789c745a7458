//! What pages read about an event and what it leaves behind: the public view of an
//! event, the report of a run and the comparison of a series' runs. Built on the server
//! (`core::report`, `api`), drawn in the browser.

use crate::domain::chart::BarChart;
use crate::domain::checkin::PlaceCount;
use crate::domain::event::{Lifecycle, Material, Section};
use crate::domain::feedback::QuestionResult;
use crate::domain::poll::QuizScore;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// What anyone with the public link may read about an event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventPublic {
    pub slug: String,
    pub title: String,
    pub hosts: String,
    pub starts_at: DateTime<Utc>,
    pub time_zone: String,
    /// The start as the event's own clock reads it ("Thu 14 May 2026, 17:00 BST"),
    /// written by the server: the browser needs no time-zone database for it.
    pub starts_local: String,
    pub sections: Vec<Section>,
    pub materials: Vec<Material>,
    /// A survey to fill in while waiting, if the organizer set one.
    pub survey_url: Option<String>,
    /// Doors-open time, Start and End, as stored.
    pub lifecycle: Lifecycle,
    /// How long a pace vote counts (a section change also ends it).
    pub pace_expiry_minutes: u32,
    /// Whether polls start with their results hidden until revealed.
    #[serde(default)]
    pub hide_poll_results: bool,
    /// The recording, once the organizers add it.
    pub recording_url: Option<String>,
}

/// A series as pages name it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SeriesRef {
    pub id: i64,
    pub title: String,
    pub team: String,
}

/// One poll in the report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PollReport {
    pub chart: BarChart,
    pub asked_at: DateTime<Utc>,
    /// The section it was asked in.
    pub section: Option<String>,
    /// A quiz question's answers right and wrong; its right bars' labels start "✓ ".
    #[serde(default)]
    pub quiz: Option<QuizScore>,
    /// A word cloud's words (the chart then bars its most given ones).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub cloud: Vec<super::cloud::CloudWord>,
    /// How many of a word cloud's words co-instructors (or the word filter) hid.
    #[serde(default)]
    pub hidden_words: u32,
}

/// How many of a word cloud's most given words the report's chart bars.
pub const CLOUD_CHART_WORDS: usize = 12;

/// A section's quiz questions together: the share of every answer given that was right.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SectionQuizReport {
    /// The section's title, or "Before the start".
    pub title: String,
    pub questions: u32,
    pub score: QuizScore,
}

/// A lab's help queue: how many asked for help, the median and the longest wait for a
/// co-instructor to come.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LabHelpReport {
    pub title: String,
    pub waits: crate::domain::help::WaitStats,
}

/// The pace of one section: mean and peak shares asking slower / faster.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SectionPaceReport {
    pub title: String,
    pub slower: u32,
    pub faster: u32,
    pub peak_slower: u32,
    pub peak_faster: u32,
}

/// One attendee question in the report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QuestionReport {
    pub text: String,
    pub name: Option<String>,
    /// "answered", "kept for the break", …
    pub state: String,
    pub upvotes: u32,
    pub answer: Option<String>,
}

/// Everything an organizer learns from one run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EventReport {
    pub event: EventPublic,
    pub series: Option<SeriesRef>,
    pub check_ins: u32,
    /// The most attendees connected at once.
    pub peak_attendees: u32,
    pub responses: u32,
    /// Responses as a share of the attendees (the larger of the peak and the check-ins).
    pub response_rate: u32,
    /// The survey takes answers (the event ended, nobody closed it).
    pub survey_open: bool,
    pub survey: Vec<QuestionResult>,
    pub polls: Vec<PollReport>,
    /// The quiz questions' share right per section, in the order asked.
    #[serde(default)]
    pub quiz_sections: Vec<SectionQuizReport>,
    /// Each lab where someone pressed Stuck, in agenda order.
    #[serde(default)]
    pub labs: Vec<LabHelpReport>,
    pub pace: Vec<SectionPaceReport>,
    /// Answered first, then by upvotes.
    pub questions: Vec<QuestionReport>,
    pub places: Vec<PlaceCount>,
    pub countries: Vec<(String, u32)>,
    /// From registered to answered, when the event took registrations.
    #[serde(default)]
    pub funnel: Option<Funnel>,
}

/// A run's registrants, from signing up to answering the survey (issue 20). Each step
/// counts registrants, through the attendee session their personal link opened.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Funnel {
    /// Holding a place now (from the form, an import, or the waitlist).
    pub registered: u32,
    /// Still waiting for a place.
    pub waitlisted: u32,
    pub cancelled: u32,
    /// Registrants who opened the live page through their personal link.
    pub joined: u32,
    pub checked_in: u32,
    pub answered: u32,
}

impl Funnel {
    /// Joined as a share of those registered: the seed's "about 50 %".
    pub fn turnout_percent(&self) -> u32 {
        crate::domain::feedback::response_rate(self.joined, self.registered)
    }

    /// The funnel as bars, each a share of those registered.
    pub fn chart(&self) -> BarChart {
        let labels = [
            "Registered",
            "Joined (opened the live page)",
            "Checked in",
            "Answered the survey",
        ]
        .map(String::from);
        BarChart::new(
            "From registration to feedback",
            &labels,
            &[self.registered, self.joined, self.checked_in, self.answered],
            self.registered,
            false,
        )
    }
}

/// One run in a series comparison.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RunSummary {
    pub slug: String,
    pub title: String,
    pub starts_at: DateTime<Utc>,
    pub time_zone: String,
    pub check_ins: u32,
    pub peak_attendees: u32,
    pub responses: u32,
    pub response_rate: u32,
    /// The answers to "How was the pace?", if the survey asked it.
    pub pace: Option<BarChart>,
    /// The sections most often picked as most informative, best first (at most three).
    pub best_sections: Vec<(String, u32)>,
    /// From registered to answered, when the run took registrations.
    #[serde(default)]
    pub funnel: Option<Funnel>,
    /// The reminders the run sent ("2 days, 2 hours, 10 minutes"), when it took
    /// registrations: did the one at 10 minutes move the turnout?
    #[serde(default)]
    pub reminders: Option<String>,
}

/// A series and its runs, latest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SeriesView {
    pub series: SeriesRef,
    pub runs: Vec<RunSummary>,
}
