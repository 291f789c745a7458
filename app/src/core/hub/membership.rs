//! A page's place in its room, and what it may do there: [`Membership::act`] is the
//! table of who may do what, and each action below checks its content against the
//! room's state, stores it ([`Membership::record`]) and applies it.

use super::{Frame, Hub, Room, lock};
use crate::core::change::Change;
use crate::domain::agenda::AgendaCommand;
use crate::domain::attendee::AttendeeId;
use crate::domain::checkin::CheckIn;
use crate::domain::cloud;
use crate::domain::event::SectionKind;
use crate::domain::filter::{self, Verdict};
use crate::domain::help::{HelpAction, TakeRefused, Ticket};
use crate::domain::lab::{LabNote, LabSignal, LabState};
use crate::domain::limit::wait_text;
use crate::domain::overlay::OverlayScene;
use crate::domain::pace::PaceVote;
use crate::domain::place::{PlaceText, parse_check_in_name};
use crate::domain::poll::{AnswerRefused, PollId, PollSpec};
use crate::domain::question::{Moderation, Question, QuestionId};
use crate::error::AppError;
use crate::live::{ClientMsg, ErrorCode, ServerMsg, Viewer};
use axum::extract::ws::Utf8Bytes;
use std::net::IpAddr;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use tokio::sync::watch;

/// An attendee's page: who they are (their pages are counted together, their votes are
/// theirs), and the address their actions are counted against for the limits.
#[derive(Debug, Clone)]
pub struct Attendee {
    pub id: AttendeeId,
    pub address: IpAddr,
}

/// A connection's place in a room; leaving the room is dropping this.
pub struct Membership {
    pub(super) hub: Hub,
    pub(super) room: Arc<Room>,
    pub(super) viewer: Viewer,
    /// Who, for an attendee's page.
    pub(super) attendee: Option<Attendee>,
    /// The public slot this page reads (attendees and stage screens).
    pub(super) shard: usize,
}

/// Why an action did not happen.
#[derive(Debug)]
pub enum Refusal {
    /// This page may not do that; the sentence says who may.
    Forbidden(&'static str),
    /// Too many actions too fast; the sentence says when to try again.
    TooFast(String),
    /// Its content is not acceptable; the sentence says why.
    Invalid(String),
    /// Not possible in the event's state; the sentence says why.
    Refused(String),
    /// The event's word filter refused its text; the sentence says so.
    Filtered(String),
    /// Storing it failed; nothing changed.
    Failed(AppError),
}

impl From<AppError> for Refusal {
    fn from(e: AppError) -> Self {
        Self::Failed(e)
    }
}

impl Refusal {
    /// The refusal as the page is told it, answering action `id`.
    pub fn to_message(&self, id: crate::live::ActionId) -> ServerMsg {
        let (code, message) = match self {
            Self::Forbidden(why) => (ErrorCode::Forbidden, (*why).to_string()),
            Self::TooFast(why) => (ErrorCode::TooFast, why.clone()),
            Self::Invalid(why) => (ErrorCode::Invalid, why.clone()),
            Self::Refused(why) => (ErrorCode::Refused, why.clone()),
            Self::Filtered(why) => (ErrorCode::Filtered, why.clone()),
            Self::Failed(e) => {
                tracing::warn!(error = %e, "action not stored");
                (
                    ErrorCode::Unavailable,
                    "the change could not be saved; please try again".to_string(),
                )
            }
        };
        ServerMsg::Error {
            id: Some(id),
            code,
            message,
        }
    }
}

/// Who may do what.
impl Membership {
    /// Carries out one message from this page, if this page may send it and its
    /// attendee is within the limits.
    pub async fn act(&self, msg: ClientMsg) -> Result<(), Refusal> {
        if let Some(attendee) = &self.attendee
            && let Err(wait) = self.hub.inner.limits.action(attendee.address, &attendee.id)
        {
            return Err(Refusal::TooFast(format!(
                "Too many actions at once; not applied. Try again {}.",
                wait_text(wait)
            )));
        }
        let staff = matches!(self.viewer, Viewer::Presenter | Viewer::Moderator);
        let presenter = self.viewer == Viewer::Presenter;
        let only = |allowed: bool, who: &'static str| {
            if allowed {
                Ok(())
            } else {
                Err(Refusal::Forbidden(who))
            }
        };
        match msg {
            ClientMsg::Pace { vote, .. } => {
                let attendee = self.attendee("only attendees vote on the pace")?;
                self.cast_pace(attendee, vote).await
            }
            ClientMsg::Start { .. } | ClientMsg::End { .. } => {
                only(presenter, "only the presenter starts and ends the tutorial")?;
                self.change_lifecycle(matches!(msg, ClientMsg::Start { .. }))
                    .await
            }
            ClientMsg::CheckIn { place, name, .. } => {
                let attendee = self.attendee("only attendees check in")?;
                self.check_in(attendee, &place, &name).await
            }
            ClientMsg::MarkPlacesRead { .. } => {
                only(
                    staff,
                    "only the presenter and co-instructors mark places read",
                )?;
                self.mark_places_read().await
            }
            ClientMsg::Agenda { from, command, .. } => {
                only(presenter, "only the presenter runs the agenda")?;
                self.drive_agenda(from, command).await
            }
            ClientMsg::AskPoll {
                id,
                question,
                options,
                hide_results,
                right,
                words,
            } => {
                only(staff, "only the presenter and co-instructors run polls")?;
                self.ask_poll(id, &question, &options, hide_results, &right, words)
                    .await
            }
            ClientMsg::RevealPoll { poll, .. } => {
                only(
                    staff,
                    "only the presenter and co-instructors reveal results",
                )?;
                self.reveal_poll(poll).await
            }
            ClientMsg::ClosePoll { poll, .. } | ClientMsg::ReopenPoll { poll, .. } => {
                only(staff, "only the presenter and co-instructors run polls")?;
                self.set_poll_open(poll, matches!(msg, ClientMsg::ReopenPoll { .. }))
                    .await
            }
            ClientMsg::Answer { poll, choice, .. } => {
                let attendee = self.attendee("only attendees answer polls")?;
                self.answer_poll(attendee, poll, choice).await
            }
            ClientMsg::Words { poll, answers, .. } => {
                let attendee = self.attendee("only attendees answer word clouds")?;
                self.answer_words(attendee, poll, &answers).await
            }
            ClientMsg::HideWord {
                poll, key, hidden, ..
            } => {
                only(
                    staff,
                    "only the presenter and co-instructors hide words from the cloud",
                )?;
                self.hide_word(poll, key, hidden).await
            }
            ClientMsg::Lab { id, signal, note } => {
                let attendee = self.attendee("only attendees say done or stuck")?;
                self.signal_lab(attendee, id, signal, &note).await
            }
            ClientMsg::Ask { id, text, name } => {
                let attendee = self.attendee("only attendees ask questions")?;
                self.ask_question(attendee, id, &text, &name).await
            }
            ClientMsg::Upvote { question, up, .. } => {
                let attendee = self.attendee("only attendees upvote questions")?;
                self.upvote(attendee, question, up).await
            }
            ClientMsg::Moderate {
                question,
                from,
                action,
                ..
            } => {
                let allowed = match self.viewer {
                    Viewer::Moderator => true,
                    Viewer::Presenter => action == Moderation::Take,
                    Viewer::Attendee | Viewer::Stage => false,
                };
                only(
                    allowed,
                    "only co-instructors moderate questions (the presenter takes bubbled-up ones)",
                )?;
                self.moderate(question, from, &action).await
            }
            ClientMsg::Overlay { scene, .. } => {
                only(
                    staff,
                    "only the presenter and co-instructors choose what the overlay shows",
                )?;
                self.show_on_overlay(scene).await
            }
            ClientMsg::Help { ticket, action, .. } => {
                only(
                    staff,
                    "only the presenter and co-instructors work the help queue",
                )?;
                self.help(ticket, action).await
            }
            // Nothing changes in the room: the transport sends the page the whole state
            // ([`Membership::snapshot_now`]), counted against the limits like any action.
            ClientMsg::Resync { .. } => Ok(()),
        }
    }

    /// The attendee's id as the boards key it, for an action only attendees take.
    fn attendee(&self, who: &'static str) -> Result<AttendeeId, Refusal> {
        match (&self.attendee, self.viewer) {
            (Some(attendee), Viewer::Attendee) => Ok(attendee.id.clone()),
            _ => Err(Refusal::Forbidden(who)),
        }
    }
}

/// What a page reads.
impl Membership {
    pub fn viewer(&self) -> Viewer {
        self.viewer
    }

    /// A receiver of the room's published frames (the staff slot for the presenter and
    /// co-instructors), with the one published so far marked as seen: a new connection
    /// starts from [`Membership::snapshot_now`] instead.
    pub fn snapshots(&self) -> watch::Receiver<Frame> {
        let slot = match self.viewer {
            Viewer::Presenter | Viewer::Moderator => &self.room.staff,
            Viewer::Attendee | Viewer::Stage => &self.room.public[self.shard],
        };
        let mut receiver = slot.subscribe();
        receiver.mark_unchanged();
        receiver
    }

    /// The room's state this instant, serialized for one new (or resyncing) connection,
    /// with its number: the published frame may lag a round behind, and a page must not
    /// start from a stale state.
    pub fn snapshot_now(&self) -> (u64, Utf8Bytes) {
        let staff = matches!(self.viewer, Viewer::Presenter | Viewer::Moderator);
        self.room.current(staff)
    }

    /// The first message of a connection: who the page is, and for an attendee, their
    /// own pace vote while it counts, check-in, poll answer, lab signal and questions.
    pub fn welcome(&self) -> ServerMsg {
        let state = lock(&self.room.state);
        let now = state.clock.now();
        let Some(attendee) = &self.attendee else {
            return ServerMsg::Welcome {
                viewer: self.viewer,
                now,
                pace: None,
                pace_at: None,
                check_in: None,
                poll_answer: None,
                words: None,
                lab: None,
                help_ticket: None,
                my_questions: Vec::new(),
                my_upvotes: Vec::new(),
            };
        };
        let id = attendee.id.as_str();
        let pace = state.pace.cast_of(id);
        let (my_questions, my_upvotes) = state.questions.of_attendee(&attendee.id);
        let latest = state.polls.latest().map(|poll| poll.spec.id);
        let poll_answer = latest.and_then(|poll| Some((poll, state.polls.answer_of(poll, id)?)));
        let words = latest.and_then(|poll| Some((poll, state.polls.words_of(poll, id)?)));
        let lab = state
            .agenda
            .current
            .and_then(|section| Some((section, state.lab.of(section, id)?.signal)));
        let help_ticket = state
            .agenda
            .current
            .and_then(|section| state.help.ticket_of(section, &attendee.id));
        ServerMsg::Welcome {
            viewer: self.viewer,
            now,
            pace: pace.map(|(vote, _)| vote),
            pace_at: pace.map(|(_, at)| at),
            check_in: state.checkins.of(id).cloned(),
            poll_answer,
            words,
            lab,
            help_ticket,
            my_questions,
            my_upvotes,
        }
    }
}

/// The actions: each checks its content against the room's state, then records it.
impl Membership {
    /// Whether the event's word filter holds `texts` back (true), lets them through
    /// (false), or refuses them (with a sentence naming `what`).
    fn filtered<'a>(
        &self,
        what: &str,
        texts: impl IntoIterator<Item = &'a str>,
    ) -> Result<bool, Refusal> {
        match lock(&self.room.state).filter.check(texts) {
            Verdict::Pass => Ok(false),
            Verdict::Hold => Ok(true),
            Verdict::Refuse => Err(Refusal::Filtered(filter::refusal(what))),
        }
    }

    /// Now, on the hub's clock: the moment an action is stamped with.
    fn now(&self) -> chrono::DateTime<chrono::Utc> {
        self.hub.inner.clock.now()
    }

    /// Writes a change (group commit), then applies it here and wakes the publisher
    /// (the writer does, as soon as it is committed: see [`crate::core::writer`]).
    /// `Ok(false)`: the event's state in the database refused it, and nothing changed.
    async fn record(&self, change: Change) -> Result<bool, Refusal> {
        let (hub, room) = (self.hub.clone(), self.room.clone());
        let apply = Box::new(move |change: &Change| {
            {
                // Marked while the state is locked: a page joining sees either the
                // state before the change or that the published one is behind.
                let mut state = lock(&room.state);
                state.apply(change);
                room.content.store(true, Ordering::Relaxed);
            }
            hub.applied(change);
            room.wrote.store(true, Ordering::Relaxed);
            room.changed.notify_one();
        });
        let written = self
            .hub
            .inner
            .writer
            .write(self.room.event_id, change, apply)
            .await?;
        Ok(written.is_some())
    }

    /// Stores, then applies, an attendee's pace vote. When this returns `Ok` the vote is
    /// durable and will be in the next snapshot.
    async fn cast_pace(&self, attendee: AttendeeId, vote: Option<PaceVote>) -> Result<(), Refusal> {
        self.record(Change::Pace {
            attendee,
            vote,
            at: self.now(),
        })
        .await?;
        Ok(())
    }

    /// Checks an attendee in (or changes their check-in): the place is checked and
    /// matched against the gazetteer, stored, then applied.
    async fn check_in(&self, attendee: AttendeeId, place: &str, name: &str) -> Result<(), Refusal> {
        let invalid = |e: crate::domain::DomainError| Refusal::Invalid(e.to_string());
        let place_text = PlaceText::parse(place).map_err(invalid)?;
        let name = parse_check_in_name(name).map_err(invalid)?;
        let held = self.filtered(
            "check-in",
            [place_text.as_str(), name.as_deref().unwrap_or("")],
        )?;
        let check_in = CheckIn {
            place: crate::core::gazetteer().resolve(place_text.as_str()),
            place_text,
            name,
            at: self.now(),
            held,
        };
        self.record(Change::CheckIn { attendee, check_in }).await?;
        Ok(())
    }

    /// The presenter or a co-instructor read the new places out: they stop being new.
    async fn mark_places_read(&self) -> Result<(), Refusal> {
        self.record(Change::PlacesRead { at: self.now() }).await?;
        Ok(())
    }

    /// Starts (the presenter's Start) or ends the event: checked, stored, then applied.
    async fn change_lifecycle(&self, start: bool) -> Result<(), Refusal> {
        // Milliseconds, as stored: the room and the database must agree to the instant.
        let at = self.now();
        let mut next = lock(&self.room.state).lifecycle;
        let checked = if start { next.start(at) } else { next.end(at) };
        checked.map_err(|e| Refusal::Refused(format!("The tutorial {}.", e.message)))?;
        let change = if start {
            Change::Started { at }
        } else {
            Change::Ended { at }
        };
        if !self.record(change).await? {
            // Another presenter (or another replica) got there first.
            return Err(Refusal::Refused(
                "Someone else changed the tutorial's state just now.".into(),
            ));
        }
        if !start && let Some(seats) = self.room.event.seats() {
            // The feedback email was planned from the planned end: now it has a real one.
            let times = crate::domain::registration::EventTimes {
                ends_at: at,
                ..seats.times
            };
            if let Some(due) = crate::domain::registration::due_at(
                crate::domain::registration::EmailKind::Feedback,
                times,
                seats.settings,
            ) {
                // Awaited, not spawned: a sender's round right after End must see it.
                if let Err(error) = self.hub.store().replan_feedback(seats.event_id, due).await {
                    tracing::warn!(%error, "the feedback emails kept their planned time");
                }
            }
        }
        // Start runs the first section's clock; End stops the clock for good. Should this
        // step fail, the panel offers to begin the agenda by hand.
        let command = if start {
            AgendaCommand::Begin
        } else {
            AgendaCommand::Finish
        };
        let from = lock(&self.room.state).agenda.version;
        if let Err(refusal) = self.drive_agenda(from, command).await {
            tracing::warn!(?refusal, "the agenda did not follow Start or End");
        }
        Ok(())
    }

    /// The presenter's command to the agenda (Next, Pause, +5, …), made on a screen
    /// that showed agenda version `from`.
    async fn drive_agenda(&self, from: u64, command: AgendaCommand) -> Result<(), Refusal> {
        let next = {
            let state = lock(&self.room.state);
            state
                .agenda
                .apply(from, &command, self.now())
                .map_err(|e| Refusal::Refused(format!("{e}.")))?
        };
        if !self.record(Change::Agenda { agenda: next }).await? {
            return Err(Refusal::Refused(
                "The agenda changed a moment ago on another screen; look again and retry.".into(),
            ));
        }
        Ok(())
    }

    /// Asks a poll (closing the one open), tagged with the section running now.
    async fn ask_poll(
        &self,
        id: PollId,
        question: &str,
        options: &[String],
        hide_results: bool,
        right: &[u8],
        words: bool,
    ) -> Result<(), Refusal> {
        let section = lock(&self.room.state).agenda.current;
        let spec = if words {
            PollSpec::words(id, question, section)
        } else {
            PollSpec::parse(id, question, options, section)
        };
        let poll = PollSpec {
            hide_results,
            ..spec.map_err(|e| Refusal::Invalid(e.to_string()))?
        }
        .with_right(right)
        .map_err(|e| Refusal::Invalid(e.to_string()))?;
        self.record(Change::PollAsked {
            poll,
            at: self.now(),
        })
        .await?;
        Ok(())
    }

    /// Closes (`open` false) or reopens a poll.
    async fn set_poll_open(&self, poll: PollId, open: bool) -> Result<(), Refusal> {
        let at = self.now();
        let change = if open {
            Change::PollReopened { poll, at }
        } else {
            Change::PollClosed { poll, at }
        };
        if !self.record(change).await? {
            return Err(Refusal::Refused(if open {
                "That poll is open already, or is a quiz whose answer was revealed (or is not part of this tutorial).".into()
            } else {
                "That poll is closed already (or is not part of this tutorial).".into()
            }));
        }
        Ok(())
    }

    /// Shows a poll's hidden results to everyone.
    async fn reveal_poll(&self, poll: PollId) -> Result<(), Refusal> {
        let change = Change::PollRevealed {
            poll,
            at: self.now(),
        };
        if !self.record(change).await? {
            return Err(Refusal::Refused(
                "Those results are shown already (or the poll is not part of this tutorial)."
                    .into(),
            ));
        }
        Ok(())
    }

    /// An attendee's answer to an open poll; a late one is refused and not counted.
    async fn answer_poll(
        &self,
        attendee: AttendeeId,
        poll: PollId,
        choice: u8,
    ) -> Result<(), Refusal> {
        let refused = |why: AnswerRefused| match why {
            AnswerRefused::Closed => Refusal::Refused(why.message().into()),
            AnswerRefused::UnknownPoll | AnswerRefused::NoSuchChoice | AnswerRefused::WrongKind => {
                Refusal::Invalid(why.message().into())
            }
        };
        lock(&self.room.state)
            .polls
            .check_answer(poll, choice)
            .map_err(refused)?;
        let change = Change::PollAnswered {
            attendee,
            poll,
            choice,
            at: self.now(),
        };
        if !self.record(change).await? {
            // Closed on another screen while the answer was on its way.
            return Err(refused(AnswerRefused::Closed));
        }
        Ok(())
    }

    /// An attendee's answers to the open word cloud: checked, filtered (a held word is
    /// hidden from the cloud; a refused one refuses them all), stored, then counted.
    async fn answer_words(
        &self,
        attendee: AttendeeId,
        poll: PollId,
        answers: &[String],
    ) -> Result<(), Refusal> {
        let refused = |why: AnswerRefused| match why {
            AnswerRefused::Closed => Refusal::Refused(why.message().into()),
            _ => Refusal::Invalid(why.message().into()),
        };
        lock(&self.room.state)
            .polls
            .check_words(poll)
            .map_err(refused)?;
        let answers = cloud::parse_answers(answers).map_err(|e| Refusal::Invalid(e.to_string()))?;
        let mut hide = Vec::new();
        for answer in &answers {
            if self.filtered("answer", [answer.as_str()])? {
                hide.push(cloud::group_key(answer));
            }
        }
        let change = Change::WordsAnswered {
            attendee,
            poll,
            answers,
            hide,
            at: self.now(),
        };
        if !self.record(change).await? {
            return Err(refused(AnswerRefused::Closed));
        }
        Ok(())
    }

    /// Hides a word (by its group key) from every cloud, or shows it again.
    async fn hide_word(&self, poll: PollId, key: String, hidden: bool) -> Result<(), Refusal> {
        if !self
            .record(Change::WordHidden { poll, key, hidden })
            .await?
        {
            return Err(Refusal::Refused(
                "That is not a word cloud of this tutorial.".into(),
            ));
        }
        Ok(())
    }

    /// An attendee's done / stuck in the current lab (a stuck one may add a note).
    async fn signal_lab(
        &self,
        attendee: AttendeeId,
        ticket: Ticket,
        signal: Option<LabSignal>,
        note: &str,
    ) -> Result<(), Refusal> {
        let section = {
            let state = lock(&self.room.state);
            state
                .agenda
                .current_section()
                .filter(|s| s.section.kind == SectionKind::Lab)
                .map(|s| s.id)
        }
        .ok_or_else(|| {
            Refusal::Refused("Done and stuck are for lab sections, and this is not one.".into())
        })?;
        let note = LabNote::parse(note).map_err(|e| Refusal::Invalid(e.to_string()))?;
        // Notes reach only the co-instructors, so "hide for review" keeps them as written;
        // "refuse" refuses them like any other text.
        if let Some(note) = &note {
            self.filtered("note", [note.as_str()])?;
        }
        let state = signal.map(|signal| LabState {
            signal,
            note: note.filter(|_| signal == LabSignal::Stuck),
            at: self.now(),
        });
        self.record(Change::Lab {
            attendee,
            section,
            state,
            ticket: Some(ticket),
        })
        .await?;
        Ok(())
    }

    /// A co-instructor's action on a request in the current help queue: one helper at a
    /// time, here and (by the store's conditional write) across replicas.
    async fn help(&self, ticket: Ticket, action: HelpAction) -> Result<(), Refusal> {
        {
            let state = lock(&self.room.state);
            match &action {
                HelpAction::Take { helper } => state
                    .help
                    .can_take(ticket, helper)
                    .map_err(|why| Refusal::Refused(why.message()))?,
                HelpAction::Release | HelpAction::Helped if !state.help.is_waiting(ticket) => {
                    return Err(Refusal::Refused(TakeRefused::NotWaiting.message()));
                }
                HelpAction::Release | HelpAction::Helped => {}
            }
        }
        let taken = matches!(action, HelpAction::Take { .. });
        if !self
            .record(Change::Help {
                ticket,
                action,
                at: self.now(),
            })
            .await?
        {
            return Err(Refusal::Refused(if taken {
                "Another co-instructor took this one a moment ago.".into()
            } else {
                TakeRefused::NotWaiting.message()
            }));
        }
        Ok(())
    }

    /// An attendee's question: checked, limited to a few a minute, stored, then public
    /// (or waiting for review when the event pre-moderates). A retry of a question
    /// already taken is answered as taken.
    async fn ask_question(
        &self,
        attendee: AttendeeId,
        id: QuestionId,
        text: &str,
        name: &str,
    ) -> Result<(), Refusal> {
        let now = self.now();
        let question = {
            let state = lock(&self.room.state);
            if state.questions.get(id).is_some() {
                return Ok(());
            }
            state
                .questions
                .check_rate(&attendee, now)
                .map_err(|why| Refusal::Refused(why.message()))?;
            Question::ask(id, text, name, state.pre_moderation, now)
                .map_err(|e| Refusal::Invalid(e.to_string()))?
        };
        let question = if self.filtered(
            "question",
            [
                question.text.as_str(),
                question.name.as_deref().unwrap_or(""),
            ],
        )? {
            question.held_for_review()
        } else {
            question
        };
        self.record(Change::QuestionAsked { attendee, question })
            .await?;
        Ok(())
    }

    /// An attendee's upvote on a public question (`up`), or its withdrawal.
    async fn upvote(
        &self,
        attendee: AttendeeId,
        question: QuestionId,
        up: bool,
    ) -> Result<(), Refusal> {
        {
            let state = lock(&self.room.state);
            if !state
                .questions
                .get(question)
                .is_some_and(|q| q.state.is_public())
            {
                return Err(Refusal::Invalid(
                    "That question is not open for votes.".into(),
                ));
            }
            if state
                .questions
                .asked_by(question)
                .is_some_and(|a| *a == attendee)
            {
                return Err(Refusal::Invalid(
                    "You cannot upvote your own question.".into(),
                ));
            }
        }
        self.record(Change::QuestionVoted {
            attendee,
            question,
            up,
        })
        .await?;
        Ok(())
    }

    /// The presenter or a co-instructor chose what the stream overlay shows: a question
    /// must be a public one of this room's. Stored, then applied.
    async fn show_on_overlay(&self, scene: OverlayScene) -> Result<(), Refusal> {
        let checked = {
            let state = lock(&self.room.state);
            let question = match scene {
                OverlayScene::Question { id } => state.questions.get(id),
                _ => None,
            };
            scene.check(question)
        };
        let scene = checked.map_err(|e| Refusal::Invalid(format!("{e}.")))?;
        self.record(Change::Overlay { scene }).await?;
        Ok(())
    }

    /// A co-instructor's (or for `Take`, the presenter's) action on a question seen at
    /// version `from`. Two acting at once: the first stands, the second is told.
    async fn moderate(
        &self,
        question: QuestionId,
        from: u64,
        action: &Moderation,
    ) -> Result<(), Refusal> {
        let next = {
            let state = lock(&self.room.state);
            let current = state.questions.get(question).ok_or_else(|| {
                Refusal::Invalid("That question is not part of this tutorial.".into())
            })?;
            if current.version != from {
                return Err(Refusal::Refused(format!(
                    "Someone else acted on this question a moment ago: it is now {}.",
                    current.state.label()
                )));
            }
            current
                .moderate(action)
                .map_err(|e| Refusal::Refused(format!("{e}.")))?
        };
        if !self
            .record(Change::QuestionChanged { question: next })
            .await?
        {
            return Err(Refusal::Refused(
                "Another co-instructor acted on this question at the same moment; theirs stands. Look again.".into(),
            ));
        }
        Ok(())
    }
}

impl Drop for Membership {
    fn drop(&mut self) {
        self.room
            .leave(self.viewer, self.attendee.as_ref().map(|a| &a.id));
    }
}
