//! Quick polls: a yes/no or multiple-choice question the presenter or a co-instructor
//! asks in one click. Attendees answer and may change their answer while it is open;
//! every screen shows the bars live; a poll is closed and reopened at will, and keeps
//! the section it was asked in.
//!
//! One poll is open at a time: asking a new one (or reopening an old one) closes the
//! one that was open, so attendees always have one card to answer.
//!
//! A poll may be asked with its results hidden: early answers then cannot sway the rest.
//! The presenter and co-instructors see the bars all along; attendees, the stage and the
//! stream overlay get no counts at all ([`PollView::for_attendees`]) until one of them
//! reveals the results, which stay shown from then on.
//!
//! A quiz is a poll with one or more right choices ([`PollSpec::with_right`]). Its
//! results are always hidden until revealed, and the right choices with them: then
//! each attendee's page tells them whether their answer was right
//! ([`PollView::verdict`]), and the report gives the share right per question and per
//! section ([`QuizScore`]). Nobody is ranked: answers stay anonymous.
//!
//! A word cloud is a poll without choices ([`PollSpec::words`]): each attendee sends up
//! to three short answers ([`super::cloud::parse_answers`]), grouped as they come
//! ([`super::cloud::WordTally`]); co-instructors may hide a word from everyone's cloud
//! ([`PollBoard::hide_word`]). It opens, closes, hides its results and is revealed like
//! any poll.

use super::DomainError;
use super::agenda::SectionId;
use super::bounded_text;
use super::cloud::{CloudWord, WordTally};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeSet, HashMap};
use std::hash::Hash;
use uuid::Uuid;

/// A poll's id, made by the page that asks it: asking again after a lost answer makes
/// no second poll.
pub type PollId = Uuid;

pub const MAX_QUESTION_CHARS: usize = 200;
pub const MAX_OPTION_CHARS: usize = 80;
pub const MAX_OPTIONS: usize = 6;

/// The seed's one-click questions; `{project}` becomes the tutorial's project.
pub const YES_NO_TEMPLATES: [&str; 3] = [
    "Have you managed to launch the Binder?",
    "Have you used {project} before?",
    "Are you a pandas user?",
];

/// A template with the project's name filled in.
pub fn fill_template(template: &str, project: &str) -> String {
    template.replace("{project}", project)
}

/// The project a tutorial is about, as the templates name it: the title's first word
/// ("Dask tutorial" → "Dask").
pub fn project_of(title: &str) -> String {
    title
        .split_whitespace()
        .next()
        .unwrap_or("this project")
        .trim_matches(|c: char| !c.is_alphanumeric())
        .to_string()
}

/// A poll as asked: its question and choices, checked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PollSpec {
    pub id: PollId,
    pub question: String,
    pub options: Vec<String>,
    /// The section running when it was asked, if any.
    #[serde(default)]
    pub section: Option<SectionId>,
    /// Whether attendees see the results only once they are revealed.
    #[serde(default)]
    pub hide_results: bool,
    /// A quiz's right choices, in order; empty for a poll. Attendees get them only
    /// once the results are revealed.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub right: Vec<u8>,
    /// A word cloud: no choices; attendees answer in a few words of their own.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub words: bool,
}

/// The most words of a cloud every page gets (the staff get every word).
pub const CLOUD_WORDS_SHOWN: usize = 60;

impl PollSpec {
    /// Checks a question and its choices; no choices means yes/no.
    pub fn parse(
        id: PollId,
        question: &str,
        options: &[String],
        section: Option<SectionId>,
    ) -> Result<Self, DomainError> {
        let question = bounded_text("question", question, 1, MAX_QUESTION_CHARS)?;
        let options: Vec<String> = if options.iter().all(|o| o.trim().is_empty()) {
            vec!["Yes".into(), "No".into()]
        } else {
            options
                .iter()
                .filter(|o| !o.trim().is_empty())
                .enumerate()
                .map(|(i, o)| bounded_text(&format!("option {}", i + 1), o, 1, MAX_OPTION_CHARS))
                .collect::<Result<_, _>>()?
        };
        if options.len() < 2 || options.len() > MAX_OPTIONS {
            return Err(DomainError::new(
                "options",
                format!("a poll needs between 2 and {MAX_OPTIONS} choices"),
            ));
        }
        for (i, option) in options.iter().enumerate() {
            if options[..i].iter().any(|o| o.eq_ignore_ascii_case(option)) {
                return Err(DomainError::new(
                    "options",
                    format!("\"{option}\" is there twice"),
                ));
            }
        }
        Ok(Self {
            id,
            question,
            options,
            section,
            hide_results: false,
            right: Vec::new(),
            words: false,
        })
    }

    /// Checks a word-cloud prompt ("In one word: what do you use Dask for?").
    pub fn words(
        id: PollId,
        prompt: &str,
        section: Option<SectionId>,
    ) -> Result<Self, DomainError> {
        Ok(Self {
            id,
            question: bounded_text("question", prompt, 1, MAX_QUESTION_CHARS)?,
            options: Vec::new(),
            section,
            hide_results: false,
            right: Vec::new(),
            words: true,
        })
    }

    /// Makes the poll a quiz with these right choices (none: a poll). A quiz hides its
    /// results, and so its answer, until revealed; at least one choice must be wrong.
    pub fn with_right(mut self, right: &[u8]) -> Result<Self, DomainError> {
        let mut right = right.to_vec();
        right.sort_unstable();
        right.dedup();
        if right.iter().any(|&r| usize::from(r) >= self.options.len()) {
            return Err(DomainError::new(
                "right",
                "a right answer must be one of the choices",
            ));
        }
        if !right.is_empty() && right.len() == self.options.len() {
            return Err(DomainError::new(
                "right",
                "a quiz needs at least one wrong choice",
            ));
        }
        if !right.is_empty() {
            self.hide_results = true;
        }
        self.right = right;
        Ok(self)
    }

    pub fn is_quiz(&self) -> bool {
        !self.right.is_empty()
    }

    pub fn is_right(&self, choice: u8) -> bool {
        self.right.contains(&choice)
    }
}

/// How many answered a quiz question (or a section's questions) and how many were right.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct QuizScore {
    pub right: u32,
    pub answered: u32,
}

impl QuizScore {
    /// The share right in whole percent (0 when nobody answered).
    pub fn percent(self) -> u32 {
        super::chart::percents(&[self.right], self.answered)[0]
    }
}

/// Another question's answers added: a section's share counts every answer given.
impl std::ops::Add for QuizScore {
    type Output = QuizScore;

    fn add(self, other: QuizScore) -> QuizScore {
        QuizScore {
            right: self.right + other.right,
            answered: self.answered + other.answered,
        }
    }
}

/// Why an answer was not taken.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AnswerRefused {
    UnknownPoll,
    Closed,
    NoSuchChoice,
    /// Words sent to a poll with choices, or a choice to a word cloud.
    WrongKind,
}

impl AnswerRefused {
    pub fn message(self) -> &'static str {
        match self {
            AnswerRefused::UnknownPoll => "That poll is not part of this tutorial.",
            AnswerRefused::Closed => "This poll has closed; your answer was not counted.",
            AnswerRefused::NoSuchChoice => "That is not one of the poll's choices.",
            AnswerRefused::WrongKind => "That is not the kind of answer this poll asks for.",
        }
    }
}

/// One poll with its answers.
#[derive(Debug, Clone)]
struct Poll<A> {
    spec: PollSpec,
    asked_at: DateTime<Utc>,
    closed_at: Option<DateTime<Utc>>,
    /// When its hidden results were revealed.
    revealed_at: Option<DateTime<Utc>>,
    answers: HashMap<A, u8>,
    /// Kept in step with `answers`: reading the bars is O(choices).
    counts: Vec<u32>,
    /// A word cloud's answers, each attendee's as they sent them.
    said: HashMap<A, Vec<String>>,
    /// Kept in step with `said`.
    cloud: WordTally,
    /// The words (by group key) co-instructors hid, or the word filter held.
    hidden: BTreeSet<String>,
}

/// A poll as every screen shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PollView {
    #[serde(flatten)]
    pub spec: PollSpec,
    pub asked_at: DateTime<Utc>,
    pub open: bool,
    /// Whether attendees see the results: asked with them shown, or revealed since.
    #[serde(default = "shown")]
    pub results_shown: bool,
    /// A quiz question (its right choices travel only once revealed).
    #[serde(default)]
    pub quiz: bool,
    /// Answers per choice, in the choices' order; empty in what attendees get while the
    /// results are hidden.
    pub counts: Vec<u32>,
    /// A word cloud's words, the most given first, hidden ones left out (at most
    /// [`CLOUD_WORDS_SHOWN`] for attendees); empty while the results are hidden.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub cloud: Vec<CloudWord>,
    /// The words co-instructors hid: staff only.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub hidden_cloud: Vec<CloudWord>,
    /// How many attendees answered a word cloud.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub respondents: u32,
}

fn is_zero(n: &u32) -> bool {
    *n == 0
}

fn shown() -> bool {
    true
}

impl PollView {
    pub fn total(&self) -> u32 {
        self.counts.iter().sum()
    }

    /// Each choice's share of the answers, in whole percent adding up to 100 (0 when
    /// nobody answered).
    pub fn percents(&self) -> Vec<u32> {
        super::chart::percents(&self.counts, self.total())
    }

    /// Whether attendees still see this poll when `current` is the section being
    /// taught: while it is open, and once closed only while its own section lasts. A
    /// closed poll from an earlier section gives way to what the new section asks.
    pub fn shown_to_attendees(&self, current: Option<SectionId>) -> bool {
        self.open || self.spec.section == current
    }

    /// The poll as attendees, the stage and the overlay get it: without its counts (nor
    /// a quiz's right choices) while its results are hidden, so no page can read them
    /// before they are revealed.
    pub fn for_attendees(mut self) -> Self {
        if !self.results_shown {
            self.counts.clear();
            self.spec.right.clear();
            self.cloud.clear();
            self.respondents = 0;
        }
        self.cloud.truncate(CLOUD_WORDS_SHOWN);
        self.hidden_cloud.clear();
        self
    }

    /// Whether `choice` was right, once the view carries the quiz's answer (staff
    /// always, attendees once revealed).
    pub fn verdict(&self, choice: u8) -> Option<bool> {
        self.spec.is_quiz().then(|| self.spec.is_right(choice))
    }

    /// A quiz's answers counted right and wrong (None for a poll).
    pub fn score(&self) -> Option<QuizScore> {
        self.spec.is_quiz().then(|| QuizScore {
            right: self
                .counts
                .iter()
                .enumerate()
                .filter(|(i, _)| self.spec.is_right(*i as u8))
                .map(|(_, c)| c)
                .sum(),
            answered: self.total(),
        })
    }

    /// The counts, when this view carries them (staff always; attendees once shown).
    pub fn has_counts(&self) -> bool {
        if self.spec.words {
            self.results_shown || self.respondents > 0
        } else {
            self.counts.len() == self.spec.options.len()
        }
    }
}

/// One section's quiz questions together.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SectionScore {
    /// `None`: asked before the first section.
    pub section: Option<SectionId>,
    pub questions: u32,
    /// Every answer to them counts once.
    pub score: QuizScore,
}

/// The share right per section over its quiz questions, in the order the sections first
/// asked one.
pub fn section_scores(polls: &[PollView]) -> Vec<SectionScore> {
    let mut scores: Vec<SectionScore> = Vec::new();
    for poll in polls {
        let Some(score) = poll.score() else { continue };
        match scores.iter_mut().find(|s| s.section == poll.spec.section) {
            Some(total) => {
                total.questions += 1;
                total.score = total.score + score;
            }
            None => scores.push(SectionScore {
                section: poll.spec.section,
                questions: 1,
                score,
            }),
        }
    }
    scores
}

/// A poll as the store keeps it, without its answers.
#[derive(Debug, Clone)]
pub struct StoredPoll {
    pub spec: PollSpec,
    pub asked_at: DateTime<Utc>,
    pub closed_at: Option<DateTime<Utc>>,
    pub revealed_at: Option<DateTime<Utc>>,
    /// A word cloud's hidden words (group keys).
    pub hidden_words: Vec<String>,
}

/// The polls of one event, in the order they were asked.
#[derive(Debug, Clone)]
pub struct PollBoard<A> {
    polls: Vec<Poll<A>>,
}

impl<A> Default for PollBoard<A> {
    fn default() -> Self {
        Self { polls: Vec::new() }
    }
}

impl<A: Eq + Hash> PollBoard<A> {
    fn poll_mut(&mut self, id: PollId) -> Option<&mut Poll<A>> {
        self.polls.iter_mut().find(|p| p.spec.id == id)
    }

    fn close_open(&mut self, except: PollId, at: DateTime<Utc>) {
        for poll in self.polls.iter_mut().filter(|p| p.spec.id != except) {
            if poll.closed_at.is_none() {
                poll.closed_at = Some(at);
            }
        }
    }

    /// Opens a poll (closing the one open); asking the same poll again changes nothing.
    pub fn ask(&mut self, spec: PollSpec, at: DateTime<Utc>) {
        if self.polls.iter().any(|p| p.spec.id == spec.id) {
            return;
        }
        self.close_open(spec.id, at);
        let counts = vec![0; spec.options.len()];
        self.polls.push(Poll {
            spec,
            asked_at: at,
            closed_at: None,
            revealed_at: None,
            answers: HashMap::new(),
            counts,
            said: HashMap::new(),
            cloud: WordTally::default(),
            hidden: BTreeSet::new(),
        });
    }

    /// A board as stored: the polls as they were (open or closed), then their answers
    /// and their word clouds' answers.
    pub fn restored(
        polls: impl IntoIterator<Item = StoredPoll>,
        answers: impl IntoIterator<Item = (PollId, A, u8)>,
        words: impl IntoIterator<Item = (PollId, A, Vec<String>)>,
    ) -> Self {
        let mut board = Self::default();
        for poll in polls {
            board.restore(poll);
        }
        for (id, attendee, choice) in answers {
            board.record(id, attendee, choice);
        }
        for (id, attendee, said) in words {
            board.record_words(id, attendee, said, &[]);
        }
        board
    }

    /// Adds a stored poll as it was (open or closed), without closing others.
    pub fn restore(&mut self, stored: StoredPoll) {
        let counts = vec![0; stored.spec.options.len()];
        self.polls.push(Poll {
            spec: stored.spec,
            asked_at: stored.asked_at,
            closed_at: stored.closed_at,
            revealed_at: stored.revealed_at,
            answers: HashMap::new(),
            counts,
            said: HashMap::new(),
            cloud: WordTally::default(),
            hidden: stored.hidden_words.into_iter().collect(),
        });
    }

    /// Closes a poll; false when it was not open.
    pub fn close(&mut self, id: PollId, at: DateTime<Utc>) -> bool {
        match self.poll_mut(id) {
            Some(poll) if poll.closed_at.is_none() => {
                poll.closed_at = Some(at);
                true
            }
            _ => false,
        }
    }

    /// Opens a closed poll again (closing the one open); false when it was open, or is
    /// a quiz whose answer was revealed (answers then would only copy it).
    pub fn reopen(&mut self, id: PollId, at: DateTime<Utc>) -> bool {
        match self.poll_mut(id) {
            Some(poll)
                if poll.closed_at.is_some()
                    && !(poll.spec.is_quiz() && poll.revealed_at.is_some()) =>
            {
                poll.closed_at = None;
                self.close_open(id, at);
                true
            }
            _ => false,
        }
    }

    /// Reveals a poll's hidden results to attendees; false when there was nothing to
    /// reveal (no such poll, asked with its results shown, or revealed already). A quiz
    /// still open closes: its answer is out.
    pub fn reveal(&mut self, id: PollId, at: DateTime<Utc>) -> bool {
        match self.poll_mut(id) {
            Some(poll) if poll.spec.hide_results && poll.revealed_at.is_none() => {
                poll.revealed_at = Some(at);
                if poll.spec.is_quiz() && poll.closed_at.is_none() {
                    poll.closed_at = Some(at);
                }
                true
            }
            _ => false,
        }
    }

    /// Whether `choice` would be taken now as an answer to poll `id`.
    pub fn check_answer(&self, id: PollId, choice: u8) -> Result<(), AnswerRefused> {
        let poll = self
            .polls
            .iter()
            .find(|p| p.spec.id == id)
            .ok_or(AnswerRefused::UnknownPoll)?;
        if poll.spec.words {
            return Err(AnswerRefused::WrongKind);
        }
        if poll.closed_at.is_some() {
            return Err(AnswerRefused::Closed);
        }
        if usize::from(choice) >= poll.spec.options.len() {
            return Err(AnswerRefused::NoSuchChoice);
        }
        Ok(())
    }

    /// Records (or changes) an attendee's answer to an open poll.
    pub fn answer(&mut self, id: PollId, attendee: A, choice: u8) -> Result<(), AnswerRefused> {
        self.check_answer(id, choice)?;
        self.record(id, attendee, choice);
        Ok(())
    }

    /// Records a stored answer, open poll or not (the store checked it when it came).
    pub fn record(&mut self, id: PollId, attendee: A, choice: u8) {
        let Some(poll) = self.poll_mut(id) else {
            return;
        };
        if usize::from(choice) >= poll.counts.len() {
            return;
        }
        if let Some(old) = poll.answers.insert(attendee, choice) {
            poll.counts[usize::from(old)] -= 1;
        }
        poll.counts[usize::from(choice)] += 1;
    }

    pub fn answer_of<Q: Eq + Hash + ?Sized>(&self, id: PollId, attendee: &Q) -> Option<u8>
    where
        A: std::borrow::Borrow<Q>,
    {
        self.polls
            .iter()
            .find(|p| p.spec.id == id)?
            .answers
            .get(attendee)
            .copied()
    }

    /// Whether answers to word cloud `id` would be taken now.
    pub fn check_words(&self, id: PollId) -> Result<(), AnswerRefused> {
        let poll = self
            .polls
            .iter()
            .find(|p| p.spec.id == id)
            .ok_or(AnswerRefused::UnknownPoll)?;
        if !poll.spec.words {
            return Err(AnswerRefused::WrongKind);
        }
        if poll.closed_at.is_some() {
            return Err(AnswerRefused::Closed);
        }
        Ok(())
    }

    /// Records (or replaces) an attendee's answers to a word cloud (checked when they
    /// came, or stored); the words in `hide` (group keys the filter held) are hidden.
    pub fn record_words(&mut self, id: PollId, attendee: A, answers: Vec<String>, hide: &[String]) {
        let Some(poll) = self.poll_mut(id).filter(|p| p.spec.words) else {
            return;
        };
        for answer in &answers {
            poll.cloud.add(answer);
        }
        if let Some(old) = poll.said.insert(attendee, answers) {
            for answer in &old {
                poll.cloud.remove(answer);
            }
        }
        poll.hidden.extend(hide.iter().cloned());
    }

    /// Hides a word (by its group key) from everyone's cloud, or shows it again; false
    /// when `id` is not a word cloud of this event.
    pub fn hide_word(&mut self, id: PollId, key: &str, hidden: bool) -> bool {
        let Some(poll) = self.poll_mut(id).filter(|p| p.spec.words) else {
            return false;
        };
        if hidden {
            poll.hidden.insert(key.to_string());
        } else {
            poll.hidden.remove(key);
        }
        true
    }

    /// An attendee's answers to a word cloud, as they sent them.
    pub fn words_of<Q: Eq + Hash + ?Sized>(&self, id: PollId, attendee: &Q) -> Option<Vec<String>>
    where
        A: std::borrow::Borrow<Q>,
    {
        self.polls
            .iter()
            .find(|p| p.spec.id == id)?
            .said
            .get(attendee)
            .cloned()
    }

    fn view(poll: &Poll<A>) -> PollView {
        let (cloud, hidden_cloud) = if poll.spec.words {
            poll.cloud
                .words()
                .into_iter()
                .partition(|w| !poll.hidden.contains(&w.key))
        } else {
            (Vec::new(), Vec::new())
        };
        PollView {
            spec: poll.spec.clone(),
            asked_at: poll.asked_at,
            open: poll.closed_at.is_none(),
            results_shown: !poll.spec.hide_results || poll.revealed_at.is_some(),
            quiz: poll.spec.is_quiz(),
            counts: poll.counts.clone(),
            cloud,
            hidden_cloud,
            respondents: poll.said.len() as u32,
        }
    }

    /// The poll attendees see: the open one, else the last one asked.
    pub fn latest(&self) -> Option<PollView> {
        self.polls
            .iter()
            .find(|p| p.closed_at.is_none())
            .or(self.polls.last())
            .map(Self::view)
    }

    /// Every poll, newest first.
    pub fn all(&self) -> Vec<PollView> {
        self.polls.iter().rev().map(Self::view).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> DateTime<Utc> {
        Utc::now()
    }

    fn yes_no(n: u128) -> PollSpec {
        PollSpec::parse(
            Uuid::from_u128(n),
            "Have you launched the Binder?",
            &[],
            Some(1),
        )
        .unwrap()
    }

    #[test]
    fn a_question_without_choices_is_yes_or_no() {
        assert_eq!(yes_no(1).options, vec!["Yes", "No"]);
        let choice = PollSpec::parse(
            Uuid::nil(),
            "Which editor?",
            &["JupyterLab".into(), " VS Code ".into(), "".into()],
            None,
        )
        .unwrap();
        assert_eq!(choice.options, vec!["JupyterLab", "VS Code"]);
    }

    #[test]
    fn polls_need_a_question_and_distinct_sane_choices() {
        let parse = |q: &str, options: &[&str]| {
            let options: Vec<String> = options.iter().map(|o| o.to_string()).collect();
            PollSpec::parse(Uuid::nil(), q, &options, None)
        };
        assert_eq!(parse("  ", &[]).unwrap_err().field, "question");
        assert_eq!(parse("Pick", &["Only one"]).unwrap_err().field, "options");
        assert_eq!(parse("Pick", &["A", "a"]).unwrap_err().field, "options");
        assert_eq!(
            parse("Pick", &["1", "2", "3", "4", "5", "6", "7"])
                .unwrap_err()
                .field,
            "options"
        );
        assert!(parse(&"x".repeat(201), &[]).is_err());
    }

    #[test]
    fn attendees_answer_and_change_their_answer_while_it_is_open() {
        let mut board = PollBoard::default();
        board.ask(yes_no(1), now());
        board.answer(Uuid::from_u128(1), "ana", 0).unwrap();
        board.answer(Uuid::from_u128(1), "ben", 0).unwrap();
        board.answer(Uuid::from_u128(1), "ben", 1).unwrap();
        let view = board.latest().unwrap();
        assert_eq!(view.counts, vec![1, 1]);
        assert_eq!(view.percents(), vec![50, 50]);
        assert_eq!(board.answer_of(Uuid::from_u128(1), "ben"), Some(1));
    }

    #[test]
    fn a_late_answer_to_a_closed_poll_is_refused_and_reopening_takes_answers_again() {
        let mut board = PollBoard::default();
        let id = Uuid::from_u128(1);
        board.ask(yes_no(1), now());
        assert!(board.close(id, now()));
        assert!(!board.close(id, now()), "closing twice changes nothing");
        assert_eq!(board.answer(id, "ana", 0), Err(AnswerRefused::Closed));
        assert_eq!(board.latest().unwrap().total(), 0);
        assert!(board.reopen(id, now()));
        board.answer(id, "ana", 0).unwrap();
        assert_eq!(board.latest().unwrap().counts, vec![1, 0]);
    }

    #[test]
    fn asking_a_new_poll_closes_the_open_one_and_a_repeat_ask_changes_nothing() {
        let mut board = PollBoard::default();
        board.ask(yes_no(1), now());
        board.answer(Uuid::from_u128(1), "ana", 0).unwrap();
        board.ask(yes_no(2), now());
        board.ask(yes_no(1), now());
        let all = board.all();
        assert_eq!(all.len(), 2);
        assert_eq!(all[0].spec.id, Uuid::from_u128(2));
        assert!(all[0].open);
        assert!(!all[1].open);
        assert_eq!(all[1].counts, vec![1, 0], "results stay with the old poll");
        assert_eq!(all[1].spec.section, Some(1));
    }

    #[test]
    fn unknown_polls_and_choices_are_refused() {
        let mut board = PollBoard::default();
        board.ask(yes_no(1), now());
        assert_eq!(
            board.answer(Uuid::from_u128(9), "ana", 0),
            Err(AnswerRefused::UnknownPoll)
        );
        assert_eq!(
            board.answer(Uuid::from_u128(1), "ana", 2),
            Err(AnswerRefused::NoSuchChoice)
        );
    }

    #[test]
    fn a_closed_poll_gives_way_when_its_section_is_over() {
        let mut poll = PollView {
            spec: yes_no(1),
            asked_at: now(),
            open: true,
            results_shown: true,
            quiz: false,
            counts: vec![3, 1],
            cloud: Vec::new(),
            hidden_cloud: Vec::new(),
            respondents: 0,
        };
        assert!(poll.shown_to_attendees(Some(1)));
        assert!(
            poll.shown_to_attendees(Some(2)),
            "an open poll stays whatever the section"
        );
        poll.open = false;
        assert!(
            poll.shown_to_attendees(Some(1)),
            "its results stay while section 1 lasts"
        );
        assert!(!poll.shown_to_attendees(Some(2)));
        assert!(!poll.shown_to_attendees(None), "nor after the last section");
        poll.spec.section = None;
        assert!(
            poll.shown_to_attendees(None),
            "asked before the first section, kept until it begins"
        );
        assert!(!poll.shown_to_attendees(Some(1)));
    }

    #[test]
    fn hidden_results_reach_attendees_only_once_revealed_and_staff_always() {
        let mut board = PollBoard::default();
        let id = Uuid::from_u128(1);
        board.ask(
            PollSpec {
                hide_results: true,
                ..yes_no(1)
            },
            now(),
        );
        board.answer(id, "ana", 0).unwrap();
        board.answer(id, "ben", 0).unwrap();
        let staff = board.latest().unwrap();
        assert!(!staff.results_shown);
        assert_eq!(staff.counts, vec![2, 0], "staff see the bars all along");
        let attendees = staff.for_attendees();
        assert!(attendees.counts.is_empty(), "no counts leave for attendees");
        assert!(!attendees.has_counts());
        // Closing does not reveal; answers still come in while it is open.
        assert!(board.close(id, now()));
        assert!(board.latest().unwrap().for_attendees().counts.is_empty());
        assert!(board.reveal(id, now()));
        assert!(!board.reveal(id, now()), "revealing twice changes nothing");
        let revealed = board.latest().unwrap().for_attendees();
        assert!(revealed.results_shown);
        assert_eq!(revealed.counts, vec![2, 0]);
        assert!(board.reopen(id, now()));
        assert!(
            board.latest().unwrap().results_shown,
            "revealed results stay shown when the poll reopens"
        );
    }

    #[test]
    fn a_poll_asked_with_its_results_shown_has_nothing_to_reveal() {
        let mut board = PollBoard::default();
        board.ask(yes_no(1), now());
        board.answer(Uuid::from_u128(1), "ana", 1).unwrap();
        assert!(!board.reveal(Uuid::from_u128(1), now()));
        assert!(
            !board.reveal(Uuid::from_u128(9), now()),
            "nor an unknown poll"
        );
        let view = board.latest().unwrap().for_attendees();
        assert!(view.results_shown);
        assert_eq!(view.counts, vec![0, 1]);
    }

    #[test]
    fn a_restored_poll_keeps_its_reveal() {
        let spec = PollSpec {
            hide_results: true,
            ..yes_no(1)
        };
        let stored = |revealed_at| StoredPoll {
            spec: spec.clone(),
            asked_at: now(),
            closed_at: None,
            revealed_at,
            hidden_words: Vec::new(),
        };
        let answers = [(spec.id, "ana", 1u8)];
        let hidden = PollBoard::restored([stored(None)], answers, []);
        assert!(hidden.latest().unwrap().for_attendees().counts.is_empty());
        let shown = PollBoard::restored([stored(Some(now()))], answers, []);
        assert_eq!(shown.latest().unwrap().for_attendees().counts, vec![0, 1]);
    }

    fn quiz(n: u128, section: SectionId, right: &[u8]) -> PollSpec {
        let options: Vec<String> = ["map_partitions", "apply", "compute"]
            .map(String::from)
            .to_vec();
        PollSpec::parse(
            Uuid::from_u128(n),
            "Which runs a function on every partition?",
            &options,
            Some(section),
        )
        .unwrap()
        .with_right(right)
        .unwrap()
    }

    #[test]
    fn a_quiz_needs_right_choices_among_its_own_and_one_wrong() {
        let spec = quiz(1, 1, &[2, 0, 0]);
        assert_eq!(spec.right, vec![0, 2], "sorted, once each");
        assert!(spec.is_quiz());
        assert!(spec.hide_results, "a quiz hides its answer until revealed");
        let poll = yes_no(1);
        assert_eq!(poll.clone().with_right(&[2]).unwrap_err().field, "right");
        assert_eq!(poll.clone().with_right(&[0, 1]).unwrap_err().field, "right");
        let not_a_quiz = poll.with_right(&[]).unwrap();
        assert!(!not_a_quiz.is_quiz());
        assert!(!not_a_quiz.hide_results);
    }

    #[test]
    fn a_quiz_keeps_its_answer_from_attendees_until_revealed_then_says_who_was_right() {
        let mut board = PollBoard::default();
        let id = Uuid::from_u128(1);
        board.ask(quiz(1, 1, &[0]), now());
        board.answer(id, "ana", 0).unwrap();
        board.answer(id, "ben", 1).unwrap();
        board.answer(id, "cleo", 0).unwrap();
        let staff = board.latest().unwrap();
        assert!(staff.quiz);
        assert_eq!(staff.verdict(0), Some(true), "staff know the answer");
        let hidden = staff.for_attendees();
        assert!(hidden.quiz, "attendees know it is a quiz");
        assert!(hidden.spec.right.is_empty(), "but not its answer");
        assert_eq!(hidden.verdict(0), None);
        assert!(board.reveal(id, now()));
        assert_eq!(
            board.answer(id, "ben", 0),
            Err(AnswerRefused::Closed),
            "revealing a quiz closes it: nobody copies the answer"
        );
        assert!(!board.reopen(id, now()), "nor by reopening it");
        let shown = board.latest().unwrap().for_attendees();
        assert!(!shown.open);
        assert_eq!(shown.verdict(0), Some(true));
        assert_eq!(shown.verdict(1), Some(false));
        assert_eq!(
            shown.score(),
            Some(QuizScore {
                right: 2,
                answered: 3
            })
        );
        assert_eq!(shown.score().unwrap().percent(), 67);
    }

    #[test]
    fn quiz_scores_add_up_per_section_and_polls_do_not_count() {
        let mut board = PollBoard::default();
        board.ask(quiz(1, 1, &[0]), now());
        for (who, choice) in [("ana", 0), ("ben", 0), ("cleo", 1), ("dev", 2)] {
            board.answer(Uuid::from_u128(1), who, choice).unwrap();
        }
        board.ask(yes_no(2), now());
        board.answer(Uuid::from_u128(2), "ana", 0).unwrap();
        board.ask(quiz(3, 1, &[1, 2]), now());
        board.answer(Uuid::from_u128(3), "ana", 1).unwrap();
        board.answer(Uuid::from_u128(3), "ben", 0).unwrap();
        board.ask(quiz(4, 2, &[2]), now());
        board.answer(Uuid::from_u128(4), "ana", 2).unwrap();
        let mut polls = board.all();
        polls.reverse();
        let scores = section_scores(&polls);
        assert_eq!(
            scores,
            vec![
                SectionScore {
                    section: Some(1),
                    questions: 2,
                    score: QuizScore {
                        right: 3,
                        answered: 6
                    }
                },
                SectionScore {
                    section: Some(2),
                    questions: 1,
                    score: QuizScore {
                        right: 1,
                        answered: 1
                    }
                },
            ]
        );
        assert_eq!(scores[0].score.percent(), 50);
        assert_eq!(QuizScore::default().percent(), 0, "nobody answered");
        assert_eq!(polls[1].score(), None, "a poll is not scored");
    }

    #[test]
    fn templates_name_the_project_from_the_title() {
        assert_eq!(project_of("Dask tutorial, May"), "Dask");
        assert_eq!(
            fill_template(YES_NO_TEMPLATES[1], &project_of("Dask tutorial")),
            "Have you used Dask before?"
        );
        assert_eq!(
            PollView {
                spec: yes_no(1),
                asked_at: now(),
                open: true,
                results_shown: true,
                quiz: false,
                counts: vec![0, 0],
                cloud: Vec::new(),
                hidden_cloud: Vec::new(),
                respondents: 0,
            }
            .percents(),
            vec![0, 0]
        );
    }

    fn cloud(n: u128, hidden: bool) -> PollSpec {
        PollSpec {
            hide_results: hidden,
            ..PollSpec::words(
                Uuid::from_u128(n),
                "In one word: what do you use Dask for?",
                Some(1),
            )
            .unwrap()
        }
    }

    fn said(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn a_word_cloud_groups_answers_and_an_attendee_may_change_theirs() {
        let mut board = PollBoard::default();
        let id = Uuid::from_u128(7);
        board.ask(cloud(7, false), now());
        board.record_words(id, "ana", said(&["Dataframes", "ETL"]), &[]);
        board.record_words(id, "ben", said(&["dataframe", "arrays"]), &[]);
        board.record_words(id, "cleo", said(&["DataFrame"]), &[]);
        let view = board.latest().unwrap();
        assert_eq!(view.respondents, 3);
        let counts: Vec<(&str, u32)> = view
            .cloud
            .iter()
            .map(|w| (w.label.as_str(), w.count))
            .collect();
        assert_eq!(counts, [("Dataframes", 3), ("ETL", 1), ("arrays", 1)]);
        assert_eq!(view.cloud[0].count, 3, "three forms, one word");
        // Ben changes his answers: his old ones stop counting.
        board.record_words(id, "ben", said(&["ML"]), &[]);
        let view = board.latest().unwrap();
        assert_eq!(view.cloud[0].count, 2);
        assert!(view.cloud.iter().all(|w| w.key != "array"));
        assert_eq!(board.words_of(id, "ben"), Some(said(&["ML"])));
        // A choice is no answer to a cloud, nor words to a poll.
        assert_eq!(board.check_answer(id, 0), Err(AnswerRefused::WrongKind));
        board.ask(yes_no(8), now());
        assert_eq!(
            board.check_words(Uuid::from_u128(8)),
            Err(AnswerRefused::WrongKind)
        );
        assert_eq!(
            board.check_words(id),
            Err(AnswerRefused::Closed),
            "asking another closed it"
        );
    }

    #[test]
    fn hidden_words_and_hidden_results_reach_no_attendee() {
        let mut board = PollBoard::default();
        let id = Uuid::from_u128(9);
        board.ask(cloud(9, true), now());
        board.record_words(id, "ana", said(&["Dask", "spam"]), &["spam".to_string()]);
        board.record_words(id, "ben", said(&["dask"]), &[]);
        let staff = board.latest().unwrap();
        assert_eq!(staff.cloud.len(), 1, "the filter held spam back");
        assert_eq!(staff.hidden_cloud[0].key, "spam");
        let before = staff.clone().for_attendees();
        assert!(
            before.cloud.is_empty() && before.hidden_cloud.is_empty(),
            "results hidden"
        );
        assert!(!before.has_counts());
        assert!(board.reveal(id, now()));
        assert!(board.hide_word(id, "dask", true));
        let after = board.latest().unwrap().for_attendees();
        assert!(
            after.cloud.is_empty(),
            "a co-instructor hid the only word left"
        );
        assert!(after.hidden_cloud.is_empty(), "staff only");
        assert!(board.hide_word(id, "spam", false));
        let shown = board.latest().unwrap().for_attendees();
        assert_eq!(shown.cloud[0].label, "spam");
        assert!(!board.hide_word(Uuid::from_u128(99), "x", true));
    }

    #[test]
    fn a_word_cloud_cannot_be_a_quiz() {
        assert!(cloud(1, false).with_right(&[0]).is_err());
        assert!(PollSpec::words(Uuid::from_u128(1), " ", None).is_err());
    }
}
