//! The question queue: attendees ask and upvote; co-instructors approve, answer, bubble
//! up to the presenter, keep for the break, pin, dismiss and restore; the presenter
//! takes what was bubbled up.
//!
//! A question's life is a small state machine ([`QuestionState`], [`Moderation`]):
//! [`Question::moderate`] says which action is allowed from which state and gives the
//! question after it, one `version` higher. A store that writes a question only over
//! the version it came from makes two co-instructors acting at once end in one state,
//! and tells the second what happened.

use super::DomainError;
use super::bounded_text;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::{HashMap, HashSet};
use std::hash::Hash;
use uuid::Uuid;

/// Made by the asking page: a retried submission is the same question.
pub type QuestionId = Uuid;

pub const MAX_QUESTION_CHARS: usize = 500;
pub const MAX_NAME_CHARS: usize = 60;
pub const MAX_NOTE_CHARS: usize = 300;
pub const MAX_ANSWER_CHARS: usize = 1000;
/// How many questions one attendee may ask in [`RATE_WINDOW_SECONDS`].
pub const RATE_LIMIT: usize = 5;
pub const RATE_WINDOW_SECONDS: i64 = 60;

/// Where a question stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum QuestionState {
    /// Waiting for a co-instructor's approval (pre-moderation on): not public yet.
    Review,
    /// Public, in the queue.
    Open,
    /// Passed to the presenter, with an optional note.
    Bubbled,
    /// Kept for the next break or Q&A section.
    ForBreak,
    Answered,
    /// Out of the queue and out of sight; a co-instructor can restore it.
    Dismissed,
}

impl QuestionState {
    pub const ALL: [QuestionState; 6] = [
        QuestionState::Review,
        QuestionState::Open,
        QuestionState::Bubbled,
        QuestionState::ForBreak,
        QuestionState::Answered,
        QuestionState::Dismissed,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            QuestionState::Review => "review",
            QuestionState::Open => "open",
            QuestionState::Bubbled => "bubbled",
            QuestionState::ForBreak => "for_break",
            QuestionState::Answered => "answered",
            QuestionState::Dismissed => "dismissed",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == raw)
    }

    /// What the asker reads about their own question.
    pub fn label(self) -> &'static str {
        match self {
            QuestionState::Review => "waiting for review",
            QuestionState::Open => "in the queue",
            QuestionState::Bubbled => "passed to the presenter",
            QuestionState::ForBreak => "kept for the break",
            QuestionState::Answered => "answered",
            QuestionState::Dismissed => "not taken up",
        }
    }

    /// Everyone sees it (with its text).
    pub fn is_public(self) -> bool {
        !matches!(self, QuestionState::Review | QuestionState::Dismissed)
    }
}

/// How a question was answered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "how", rename_all = "snake_case")]
pub enum Answer {
    /// A co-instructor typed the answer, shown to attendees.
    Typed { text: String },
    /// A co-instructor answered in the call's chat.
    InChat,
    /// The presenter took it and answered it live.
    Live,
}

impl Answer {
    pub fn label(&self) -> &str {
        match self {
            Answer::Typed { text } => text,
            Answer::InChat => "Answered in the chat",
            Answer::Live => "Answered live by the presenter",
        }
    }
}

/// What a co-instructor (or, for `Take`, the presenter) does to a question.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "do", rename_all = "snake_case")]
pub enum Moderation {
    Approve,
    /// A typed answer, or with no text "answered in chat".
    Answer {
        #[serde(default)]
        text: String,
    },
    BubbleUp {
        #[serde(default)]
        note: String,
    },
    KeepForBreak,
    Pin,
    Unpin,
    Dismiss,
    Restore,
    /// The presenter takes a bubbled-up question (or one kept for the break) and
    /// answers it live.
    Take,
}

impl Moderation {
    /// The past tense, for telling a second co-instructor what the first one did.
    pub fn done(&self) -> &'static str {
        match self {
            Moderation::Approve => "approved",
            Moderation::Answer { .. } => "answered",
            Moderation::BubbleUp { .. } => "bubbled up",
            Moderation::KeepForBreak => "kept for the break",
            Moderation::Pin => "pinned",
            Moderation::Unpin => "unpinned",
            Moderation::Dismiss => "dismissed",
            Moderation::Restore => "restored",
            Moderation::Take => "taken by the presenter",
        }
    }
}

/// One question, as stored and as the staff see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Question {
    pub id: QuestionId,
    pub text: String,
    /// The asker's name, or none to ask anonymously.
    pub name: Option<String>,
    pub asked_at: DateTime<Utc>,
    pub state: QuestionState,
    pub pinned: bool,
    /// The co-instructor's note for the presenter, when bubbled up.
    pub note: Option<String>,
    pub answer: Option<Answer>,
    /// One higher with every moderation: an action made on an older one is refused.
    pub version: u64,
}

impl Question {
    /// A new question from an attendee: checked, and waiting for review when the event
    /// pre-moderates.
    pub fn ask(
        id: QuestionId,
        text: &str,
        name: &str,
        pre_moderated: bool,
        at: DateTime<Utc>,
    ) -> Result<Self, DomainError> {
        let text = bounded_text("question", text, 1, MAX_QUESTION_CHARS)?;
        let name = bounded_text("name", name, 0, MAX_NAME_CHARS)?;
        Ok(Self {
            id,
            text,
            name: Some(name).filter(|n| !n.is_empty()),
            asked_at: at,
            state: if pre_moderated {
                QuestionState::Review
            } else {
                QuestionState::Open
            },
            pinned: false,
            note: None,
            answer: None,
            version: 0,
        })
    }

    /// The question waiting for a co-instructor's review, whatever the event's setting
    /// (the word filter held it back).
    pub fn held_for_review(self) -> Self {
        Self {
            state: QuestionState::Review,
            ..self
        }
    }

    /// Whether `action` may be taken from the question's state.
    pub fn allows(&self, action: &Moderation) -> bool {
        use QuestionState::*;
        match action {
            Moderation::Approve => self.state == Review,
            Moderation::Answer { .. } => matches!(self.state, Review | Open | Bubbled | ForBreak),
            Moderation::BubbleUp { .. } => matches!(self.state, Open | ForBreak),
            Moderation::KeepForBreak => matches!(self.state, Open | Bubbled),
            Moderation::Pin => !self.pinned && self.state.is_public(),
            Moderation::Unpin => self.pinned,
            Moderation::Dismiss => self.state != Dismissed,
            Moderation::Restore => self.state == Dismissed,
            Moderation::Take => matches!(self.state, Bubbled | ForBreak),
        }
    }

    /// The question after `action`, or why it cannot be done.
    pub fn moderate(&self, action: &Moderation) -> Result<Question, DomainError> {
        if !self.allows(action) {
            return Err(DomainError::new(
                "question",
                format!(
                    "is {}; it cannot be {} now",
                    self.state.label(),
                    action.done()
                ),
            ));
        }
        let mut next = self.clone();
        next.version += 1;
        match action {
            Moderation::Approve => next.state = QuestionState::Open,
            Moderation::Answer { text } => {
                let text = bounded_text("answer", text, 0, MAX_ANSWER_CHARS)?;
                next.answer = Some(if text.is_empty() {
                    Answer::InChat
                } else {
                    Answer::Typed { text }
                });
                next.state = QuestionState::Answered;
                next.pinned = false;
            }
            Moderation::BubbleUp { note } => {
                let note = bounded_text("note", note, 0, MAX_NOTE_CHARS)?;
                next.note = Some(note).filter(|n| !n.is_empty());
                next.state = QuestionState::Bubbled;
            }
            Moderation::KeepForBreak => next.state = QuestionState::ForBreak,
            Moderation::Pin => next.pinned = true,
            Moderation::Unpin => next.pinned = false,
            Moderation::Dismiss => {
                next.state = QuestionState::Dismissed;
                next.pinned = false;
            }
            Moderation::Restore => next.state = QuestionState::Open,
            Moderation::Take => {
                next.state = QuestionState::Answered;
                next.answer = Some(Answer::Live);
            }
        }
        Ok(next)
    }
}

/// How the co-instructors' queue is sorted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum QueueOrder {
    /// Most upvoted first, then oldest first.
    #[default]
    Votes,
    /// Newest first.
    Time,
}

/// A question with its upvotes, as screens show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QuestionView {
    #[serde(flatten)]
    pub question: Question,
    pub votes: u32,
}

/// Pinned questions first, then by `order`.
pub fn sort_queue(questions: &mut [QuestionView], order: QueueOrder) {
    questions.sort_by(|a, b| {
        b.question
            .pinned
            .cmp(&a.question.pinned)
            .then_with(|| match order {
                QueueOrder::Votes => b
                    .votes
                    .cmp(&a.votes)
                    .then(a.question.asked_at.cmp(&b.question.asked_at)),
                QueueOrder::Time => b.question.asked_at.cmp(&a.question.asked_at),
            })
    });
}

/// Why an attendee's question was not taken.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AskRefused {
    /// More than [`RATE_LIMIT`] in the window; try again in this many seconds.
    TooMany { retry_in_seconds: i64 },
}

impl AskRefused {
    pub fn message(&self) -> String {
        match self {
            AskRefused::TooMany { retry_in_seconds } => format!(
                "You have asked {RATE_LIMIT} questions in the last minute; you can ask again in {retry_in_seconds} s. Nothing you asked before is lost."
            ),
        }
    }
}

/// The questions of one event, their upvotes, and who asked what.
#[derive(Debug, Clone)]
pub struct QuestionBoard<A> {
    questions: HashMap<QuestionId, Question>,
    /// Who asked each question (never shown to others).
    askers: HashMap<QuestionId, A>,
    /// Who upvoted each question.
    votes: HashMap<QuestionId, HashSet<A>>,
}

impl<A> Default for QuestionBoard<A> {
    fn default() -> Self {
        Self {
            questions: HashMap::new(),
            askers: HashMap::new(),
            votes: HashMap::new(),
        }
    }
}

impl<A: Eq + Hash + Clone> QuestionBoard<A> {
    pub fn get(&self, id: QuestionId) -> Option<&Question> {
        self.questions.get(&id)
    }

    /// Whether `attendee` may ask another question at `now` (at most [`RATE_LIMIT`] in
    /// the last [`RATE_WINDOW_SECONDS`]).
    pub fn check_rate(&self, attendee: &A, now: DateTime<Utc>) -> Result<(), AskRefused> {
        let window = chrono::Duration::seconds(RATE_WINDOW_SECONDS);
        let mut recent: Vec<DateTime<Utc>> = self
            .askers
            .iter()
            .filter(|(_, a)| *a == attendee)
            .filter_map(|(id, _)| self.questions.get(id))
            .map(|q| q.asked_at)
            .filter(|at| *at > now - window)
            .collect();
        if recent.len() < RATE_LIMIT {
            return Ok(());
        }
        recent.sort();
        let oldest = recent[recent.len() - RATE_LIMIT];
        Err(AskRefused::TooMany {
            retry_in_seconds: ((oldest + window) - now).num_seconds().max(1),
        })
    }

    /// Adds a question; one already there (a retry) is left as it is.
    /// A board as stored: the questions with their askers, then the upvotes.
    pub fn restored(
        questions: impl IntoIterator<Item = (A, Question)>,
        votes: impl IntoIterator<Item = (QuestionId, A)>,
    ) -> Self {
        let mut board = Self::default();
        for (asker, question) in questions {
            board.add(asker, question);
        }
        for (question, attendee) in votes {
            board.vote(question, attendee, true);
        }
        board
    }

    pub fn add(&mut self, asker: A, question: Question) {
        self.askers.entry(question.id).or_insert(asker);
        self.questions.entry(question.id).or_insert(question);
    }

    /// Replaces a question by a newer version of it; an older one changes nothing.
    pub fn update(&mut self, question: Question) {
        if let Some(current) = self.questions.get_mut(&question.id)
            && question.version > current.version
        {
            *current = question;
        }
    }

    /// Sets (`up`) or takes back an attendee's upvote; true when it changed.
    pub fn vote(&mut self, question: QuestionId, attendee: A, up: bool) -> bool {
        let voters = self.votes.entry(question).or_default();
        if up {
            voters.insert(attendee)
        } else {
            voters.remove(&attendee)
        }
    }

    pub fn asked_by(&self, question: QuestionId) -> Option<&A> {
        self.askers.get(&question)
    }

    /// The questions `attendee` asked (oldest first) and those they upvoted: what a
    /// (re)connecting page is told, read from the board's own maps.
    pub fn of_attendee(&self, attendee: &A) -> (Vec<QuestionId>, Vec<QuestionId>) {
        let mut asked: Vec<&Question> = self
            .askers
            .iter()
            .filter(|(_, a)| *a == attendee)
            .filter_map(|(id, _)| self.questions.get(id))
            .collect();
        asked.sort_by_key(|q| q.asked_at);
        let voted = self
            .votes
            .iter()
            .filter(|(_, voters)| voters.contains(attendee))
            .map(|(id, _)| *id)
            .collect();
        (asked.iter().map(|q| q.id).collect(), voted)
    }

    fn view(&self, question: &Question) -> QuestionView {
        QuestionView {
            question: question.clone(),
            votes: self.votes.get(&question.id).map_or(0, |v| v.len() as u32),
        }
    }

    /// Every question, sorted (the co-instructors' queue).
    pub fn queue(&self, order: QueueOrder) -> Vec<QuestionView> {
        let mut all: Vec<QuestionView> = self.questions.values().map(|q| self.view(q)).collect();
        sort_queue(&mut all, order);
        all
    }

    /// The public questions, sorted by votes, at most `limit` (pinned ones first). The
    /// co-instructors' notes to the presenter stay with the staff.
    pub fn public(&self, limit: usize) -> Vec<QuestionView> {
        let mut public: Vec<QuestionView> = self
            .questions
            .values()
            .filter(|q| q.state.is_public())
            .map(|q| {
                let mut view = self.view(q);
                view.question.note = None;
                view
            })
            .collect();
        sort_queue(&mut public, QueueOrder::Votes);
        public.truncate(limit);
        public
    }

    /// The states of the newest `limit` questions nobody else sees (waiting for
    /// review, dismissed): their askers, who know the ids, follow them; the text stays
    /// private.
    pub fn hidden_states(&self, limit: usize) -> Vec<(QuestionId, QuestionState)> {
        let mut hidden: Vec<&Question> = self
            .questions
            .values()
            .filter(|q| !q.state.is_public())
            .collect();
        hidden.sort_by(|a, b| b.asked_at.cmp(&a.asked_at).then(a.id.cmp(&b.id)));
        hidden.iter().take(limit).map(|q| (q.id, q.state)).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(second: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_800_000_000 + second, 0).unwrap()
    }

    fn asked(n: u128, pre_moderated: bool) -> Question {
        Question::ask(
            Uuid::from_u128(n),
            "Does it scale?",
            "",
            pre_moderated,
            at(n as i64),
        )
        .unwrap()
    }

    #[test]
    fn questions_are_one_to_five_hundred_characters_and_names_are_optional() {
        assert!(Question::ask(Uuid::nil(), "  ", "", false, at(0)).is_err());
        assert!(Question::ask(Uuid::nil(), &"x".repeat(501), "", false, at(0)).is_err());
        let q = Question::ask(
            Uuid::nil(),
            " <script>alert(1)</script> ",
            " Ana ",
            false,
            at(0),
        )
        .unwrap();
        assert_eq!(
            q.text, "<script>alert(1)</script>",
            "kept as typed: pages show it as text"
        );
        assert_eq!(q.name.as_deref(), Some("Ana"));
        assert_eq!(q.state, QuestionState::Open);
        assert_eq!(asked(1, true).state, QuestionState::Review);
    }

    #[test]
    fn each_action_is_allowed_only_from_its_states() {
        use QuestionState::*;
        let allowed = |state: QuestionState, action: Moderation| {
            Question {
                state,
                ..asked(1, false)
            }
            .allows(&action)
        };
        assert!(allowed(Review, Moderation::Approve));
        assert!(!allowed(Open, Moderation::Approve));
        assert!(allowed(
            Open,
            Moderation::BubbleUp {
                note: String::new()
            }
        ));
        assert!(allowed(
            ForBreak,
            Moderation::BubbleUp {
                note: String::new()
            }
        ));
        assert!(!allowed(
            Answered,
            Moderation::BubbleUp {
                note: String::new()
            }
        ));
        assert!(
            !allowed(
                Review,
                Moderation::BubbleUp {
                    note: String::new()
                }
            ),
            "approve first"
        );
        assert!(allowed(Bubbled, Moderation::Take));
        assert!(!allowed(Open, Moderation::Take));
        assert!(allowed(Answered, Moderation::Dismiss));
        assert!(!allowed(Dismissed, Moderation::Dismiss));
        assert!(allowed(Dismissed, Moderation::Restore));
        assert!(!allowed(Open, Moderation::Restore));
        assert!(
            !allowed(Review, Moderation::Pin),
            "only public questions are pinned"
        );
        assert!(!allowed(
            Answered,
            Moderation::Answer {
                text: String::new()
            }
        ));
    }

    #[test]
    fn moderation_moves_the_state_and_the_version() {
        let q = asked(1, true);
        let q = q.moderate(&Moderation::Approve).unwrap();
        assert_eq!((q.state, q.version), (QuestionState::Open, 1));
        let q = q
            .moderate(&Moderation::BubbleUp {
                note: " good one ".into(),
            })
            .unwrap();
        assert_eq!(q.state, QuestionState::Bubbled);
        assert_eq!(q.note.as_deref(), Some("good one"));
        let q = q.moderate(&Moderation::Take).unwrap();
        assert_eq!(q.state, QuestionState::Answered);
        assert_eq!(q.answer, Some(Answer::Live));
        let err = q.moderate(&Moderation::Take).unwrap_err();
        assert!(err.message.contains("answered"), "{err}");
        let typed = asked(2, false)
            .moderate(&Moderation::Answer {
                text: "Yes, with dask-distributed".into(),
            })
            .unwrap();
        assert_eq!(
            typed.answer,
            Some(Answer::Typed {
                text: "Yes, with dask-distributed".into()
            })
        );
        let chat = asked(3, false)
            .moderate(&Moderation::Answer { text: " ".into() })
            .unwrap();
        assert_eq!(chat.answer, Some(Answer::InChat));
    }

    #[test]
    fn an_upvote_toggles_and_counts_once_per_attendee() {
        let mut board = QuestionBoard::default();
        board.add("ana", asked(1, false));
        assert!(board.vote(Uuid::from_u128(1), "ben", true));
        assert!(
            !board.vote(Uuid::from_u128(1), "ben", true),
            "a second upvote counts nothing"
        );
        assert!(board.vote(Uuid::from_u128(1), "cyd", true));
        assert_eq!(board.public(10)[0].votes, 2);
        assert!(board.vote(Uuid::from_u128(1), "ben", false));
        assert_eq!(board.public(10)[0].votes, 1);
        assert_eq!(
            board.of_attendee(&"ana"),
            (vec![Uuid::from_u128(1)], vec![])
        );
        assert_eq!(
            board.of_attendee(&"cyd"),
            (vec![], vec![Uuid::from_u128(1)])
        );
    }

    #[test]
    fn the_queue_puts_pinned_first_then_votes_or_time() {
        let mut board = QuestionBoard::default();
        for n in 1..=3 {
            board.add("ana", asked(n, false));
        }
        board.vote(Uuid::from_u128(2), "ben", true);
        let ids = |views: Vec<QuestionView>| {
            views
                .iter()
                .map(|v| v.question.id.as_u128())
                .collect::<Vec<_>>()
        };
        assert_eq!(ids(board.queue(QueueOrder::Votes)), vec![2, 1, 3]);
        assert_eq!(ids(board.queue(QueueOrder::Time)), vec![3, 2, 1]);
        let pinned = board
            .get(Uuid::from_u128(3))
            .unwrap()
            .moderate(&Moderation::Pin)
            .unwrap();
        board.update(pinned);
        assert_eq!(ids(board.queue(QueueOrder::Votes)), vec![3, 2, 1]);
    }

    #[test]
    fn hidden_questions_are_not_public_and_an_older_version_changes_nothing() {
        let mut board = QuestionBoard::default();
        board.add("ana", asked(1, true));
        assert!(board.public(10).is_empty());
        assert_eq!(
            board.hidden_states(10),
            vec![(Uuid::from_u128(1), QuestionState::Review)]
        );
        let approved = board
            .get(Uuid::from_u128(1))
            .unwrap()
            .moderate(&Moderation::Approve)
            .unwrap();
        board.update(approved.clone());
        board.update(asked(1, true));
        assert_eq!(
            board.get(Uuid::from_u128(1)).unwrap().state,
            QuestionState::Open
        );
        board.add("ana", asked(1, true));
        assert_eq!(
            board.get(Uuid::from_u128(1)),
            Some(&approved),
            "a retried ask changes nothing"
        );
    }

    #[test]
    fn five_questions_a_minute_then_a_clear_wait() {
        let mut board = QuestionBoard::default();
        for n in 0..5 {
            board.add(
                "ana",
                Question::ask(Uuid::from_u128(n), "q", "", false, at(n as i64 * 10)).unwrap(),
            );
        }
        let refused = board.check_rate(&"ana", at(45)).unwrap_err();
        assert_eq!(
            refused,
            AskRefused::TooMany {
                retry_in_seconds: 15
            }
        );
        assert!(
            refused
                .message()
                .contains("Nothing you asked before is lost")
        );
        assert!(
            board.check_rate(&"ben", at(45)).is_ok(),
            "the limit is per attendee"
        );
        assert!(
            board.check_rate(&"ana", at(61)).is_ok(),
            "the first one has left the window"
        );
    }
}
