//! A room's live state: every board an action changes (the tally of pace votes, the
//! check-ins, polls, lab signals, questions), the agenda's clock, and the snapshot
//! pages are sent. Pure: no locks, no I/O; the hub holds it under its room's mutex.

use crate::core::change::Change;
use crate::core::clock::Clock;
use crate::core::store::StoredRoom;
use crate::domain::agenda::Agenda;
use crate::domain::attendee::AttendeeId;
use crate::domain::checkin::{CheckInBoard, CheckInTally};
use crate::domain::event::{Lifecycle, Phase};
use crate::domain::filter::TextFilter;
use crate::domain::help::{HelpQueue, HelpView};
use crate::domain::lab::{LabBoard, LabSignal, LabState};
use crate::domain::overlay::{OverlayScene, OverlayView};
use crate::domain::pace::{self, PaceBoard, PaceSample};
use crate::domain::poll::{PollBoard, PollView};
use crate::domain::question::{QuestionBoard, QueueOrder};
use crate::live::{
    HIDDEN_QUESTIONS, LiveSnapshot, MAX_PUBLIC_SNAPSHOT_BYTES, Online, PUBLIC_QUESTIONS,
    StaffSnapshot,
};
use chrono::{DateTime, Utc};
use std::collections::HashMap;

pub(super) struct RoomState {
    pub(super) lifecycle: Lifecycle,
    /// The most attendees connected at once (here and elsewhere) that the store knows of.
    pub(super) peak_attendees: u32,
    pub(super) pace: PaceBoard<AttendeeId>,
    pub(super) checkins: CheckInBoard<AttendeeId>,
    /// The check-in tally as last computed (sorting places costs O(n log n)); cleared
    /// by every change to check-ins or to when places were last read.
    pub(super) checkin_tally: Option<CheckInTally>,
    /// When the presenter last read the new places out.
    pub(super) places_read_at: Option<DateTime<Utc>>,
    /// Pages connected to this process (attendees counted once, however many pages).
    pub(super) online: Online,
    /// Each attendee's pages open on this process: attendees are counted, not tabs
    /// (`None`: attendee pages without an id, counted as one).
    pub(super) attendee_pages: HashMap<Option<AttendeeId>, usize>,
    /// Pages connected to the other replicas (PostgreSQL), as they last reported.
    pub(super) elsewhere: Online,
    /// Snapshots published so far.
    pub(super) seq: u64,
    /// The number of the last public state the publisher took (pages that join while
    /// nothing but who is online changed start from it, and so get deltas after).
    pub(super) public_seq: u64,
    /// The last change-log entry this room has seen.
    pub(super) log_seq: u64,
    /// The agenda as it runs, with the section clock.
    pub(super) agenda: Agenda,
    /// How many sections the event's own plan has (ids 1 to n): snapshots leave their
    /// plan out, since every page has it.
    pub(super) planned_sections: usize,
    /// How long a pace vote counts.
    pub(super) pace_expiry_minutes: u32,
    pub(super) polls: PollBoard<AttendeeId>,
    pub(super) lab: LabBoard<AttendeeId>,
    /// Who waits for a co-instructor in each lab, in the order they pressed Stuck.
    pub(super) help: HelpQueue<AttendeeId>,
    /// The pace tally over time, oldest first.
    pub(super) pace_samples: Vec<PaceSample>,
    pub(super) questions: QuestionBoard<AttendeeId>,
    /// Questions wait for approval before they are public.
    pub(super) pre_moderation: bool,
    /// What happens to attendee text with a listed word in it.
    pub(super) filter: TextFilter,
    /// What the stream overlay shows.
    pub(super) overlay: OverlayScene,
    /// The hub's clock: snapshots say when they were made, a new section lets go of the
    /// pace votes cast before it.
    pub(super) clock: Clock,
}

impl RoomState {
    /// An empty room for an event with this schedule and agenda.
    pub(super) fn new(
        lifecycle: Lifecycle,
        agenda: Agenda,
        pace_expiry_minutes: u32,
        clock: Clock,
    ) -> Self {
        Self {
            lifecycle,
            peak_attendees: 0,
            pace: PaceBoard::default(),
            checkins: CheckInBoard::default(),
            checkin_tally: None,
            places_read_at: None,
            online: Online::default(),
            attendee_pages: HashMap::new(),
            elsewhere: Online::default(),
            seq: 0,
            public_seq: 0,
            log_seq: 0,
            planned_sections: agenda.sections.len(),
            agenda,
            pace_expiry_minutes,
            polls: PollBoard::default(),
            lab: LabBoard::default(),
            help: HelpQueue::default(),
            pace_samples: Vec::new(),
            questions: QuestionBoard::default(),
            pre_moderation: false,
            filter: TextFilter::default(),
            overlay: OverlayScene::Nothing,
            clock,
        }
    }

    /// Drops the pace votes that stopped counting by `now` (expired, or cast before the
    /// current section); true when any went.
    pub(super) fn tend(&mut self, now: DateTime<Utc>) -> bool {
        let cutoff = pace::cutoff(now, self.pace_expiry_minutes, self.agenda.current_since);
        self.pace.expire(cutoff)
    }

    /// The pace sample for the slot `now` is in, if the event is live and the slot has
    /// none yet. The slots are event `event_id`'s: [`pace::sample_slot`].
    pub(super) fn sample(&mut self, now: DateTime<Utc>, event_id: i64) -> Option<PaceSample> {
        if self.lifecycle.phase(now) != Phase::Live {
            return None;
        }
        let at = pace::sample_slot(now, event_id);
        if self.pace_samples.last().is_some_and(|last| last.at >= at) {
            return None;
        }
        let sample = PaceSample {
            at,
            section: self.agenda.current,
            counts: self.pace.counts(),
            online: self.online.attendees + self.elsewhere.attendees,
        };
        self.pace_samples.push(sample);
        Some(sample)
    }

    /// The snapshot, with the staff's part when `staff`.
    pub(super) fn full_snapshot(&mut self, staff: bool) -> LiveSnapshot {
        let mut snapshot = self.snapshot();
        if staff {
            snapshot.staff = Some(self.staff_part(snapshot.now));
        }
        snapshot
    }

    pub(super) fn staff_part(&mut self, now: DateTime<Utc>) -> StaffSnapshot {
        StaffSnapshot {
            polls: self.polls.all(),
            pace_trend: pace::trend(&self.pace_samples, now),
            pace_history: pace::history(&self.pace_samples),
            stuck_notes: self.lab.stuck_notes(self.agenda.current),
            help: self.help_views(),
            help_summary: self
                .agenda
                .current
                .map(|s| self.help.summary(s, now))
                .unwrap_or_default(),
            queue: self.questions.queue(QueueOrder::Votes),
            pre_moderation: self.pre_moderation,
            unread_places: self.checkin_tally().unread.clone(),
        }
    }

    /// Everyone's check-ins, tallied once per change.
    pub(super) fn checkin_tally(&mut self) -> &CheckInTally {
        let places_read_at = self.places_read_at;
        self.checkin_tally
            .get_or_insert_with(|| self.checkins.tally(places_read_at))
    }

    /// What every page gets (the staff's part is added to it for theirs), at most
    /// [`MAX_PUBLIC_SNAPSHOT_BYTES`] whatever attendees sent.
    pub(super) fn snapshot(&mut self) -> LiveSnapshot {
        let checkins = self.checkin_tally().for_live_pages();
        let mut snapshot = LiveSnapshot {
            seq: self.seq,
            pace: self.pace.counts(),
            online: Online {
                attendees: self.online.attendees + self.elsewhere.attendees,
                staff: self.online.staff + self.elsewhere.staff,
                screens: self.online.screens + self.elsewhere.screens,
            },
            started_at: self.lifecycle.started_at,
            ended_at: self.lifecycle.ended_at,
            checkins,
            now: self.clock.now(),
            agenda: self.agenda.to_wire(self.planned_sections),
            // Without its counts while they are hidden: staff read theirs in `polls`.
            poll: self.polls.latest().map(PollView::for_attendees),
            lab: self.lab.counts(self.agenda.current),
            help: self
                .agenda
                .current
                .map(|s| self.help.line(s))
                .unwrap_or_default(),
            questions: self.questions.public(PUBLIC_QUESTIONS),
            hidden_questions: self.questions.hidden_states(HIDDEN_QUESTIONS),
            overlay: self.overlay_view(),
            staff: None,
        };
        snapshot.fit_within(MAX_PUBLIC_SNAPSHOT_BYTES);
        snapshot
    }

    /// The current lab's line as co-instructors see it, each attendee by the name they
    /// checked in with.
    fn help_views(&self) -> Vec<HelpView> {
        let Some(section) = self.agenda.current else {
            return Vec::new();
        };
        let checkins = &self.checkins;
        self.help
            .views(section, |a| checkins.of(a).and_then(|c| c.name.clone()))
    }

    /// The overlay's scene with the words of the question it shows, if one.
    fn overlay_view(&self) -> Option<OverlayView> {
        let question = match self.overlay {
            OverlayScene::Question { id } => self.questions.get(id),
            _ => None,
        };
        OverlayView::of(self.overlay, question)
    }

    /// Applies one change. Every change sets a value, so applying one again is harmless.
    pub(super) fn apply(&mut self, change: &Change) {
        match change {
            Change::Pace { attendee, vote, at } => {
                self.pace.cast(attendee.clone(), *vote, *at);
            }
            Change::CheckIn { attendee, check_in } => {
                self.checkins.record(attendee.clone(), check_in.clone());
                self.checkin_tally = None;
            }
            Change::Started { at } => {
                self.lifecycle.started_at.get_or_insert(*at);
            }
            Change::Ended { at } => {
                self.lifecycle.ended_at.get_or_insert(*at);
            }
            Change::PlacesRead { at } => {
                self.places_read_at = self.places_read_at.max(Some(*at));
                self.checkin_tally = None;
            }
            Change::Agenda { agenda } => {
                if agenda.version > self.agenda.version {
                    self.agenda = agenda.clone();
                    // A new section: the pace votes about the last one stop counting.
                    self.tend(self.clock.now());
                }
            }
            Change::PollAsked { poll, at } => self.polls.ask(poll.clone(), *at),
            Change::PollClosed { poll, at } => {
                self.polls.close(*poll, *at);
            }
            Change::PollReopened { poll, at } => {
                self.polls.reopen(*poll, *at);
            }
            Change::PollRevealed { poll, at } => {
                self.polls.reveal(*poll, *at);
            }
            Change::PollAnswered {
                attendee,
                poll,
                choice,
                ..
            } => self.polls.record(*poll, attendee.clone(), *choice),
            Change::WordsAnswered {
                attendee,
                poll,
                answers,
                hide,
                ..
            } => self
                .polls
                .record_words(*poll, attendee.clone(), answers.clone(), hide),
            Change::WordHidden { poll, key, hidden } => {
                self.polls.hide_word(*poll, key, *hidden);
            }
            Change::Lab {
                attendee,
                section,
                state,
                ticket,
            } => {
                self.lab.set(*section, attendee.clone(), state.clone());
                match (state, ticket) {
                    (Some(s), Some(ticket)) if s.signal == LabSignal::Stuck => {
                        self.help
                            .join(*section, attendee.clone(), *ticket, s.note.clone(), s.at);
                    }
                    (Some(LabState { at, .. }), _) => {
                        self.help.withdraw(*section, attendee, *at);
                    }
                    (None, _) => {
                        self.help.withdraw(*section, attendee, self.clock.now());
                    }
                }
            }
            Change::Help { ticket, action, at } => {
                self.help.act(*ticket, action, *at);
            }
            Change::QuestionAsked { attendee, question } => {
                self.questions.add(attendee.clone(), question.clone());
            }
            Change::QuestionChanged { question } => self.questions.update(question.clone()),
            Change::Overlay { scene } => self.overlay = *scene,
            Change::QuestionVoted {
                attendee,
                question,
                up,
            } => {
                self.questions.vote(*question, attendee.clone(), *up);
            }
        }
    }

    /// Replaces the stored part of the state (everything but who is online here).
    pub(super) fn reset(&mut self, stored: StoredRoom) {
        let mut pace = PaceBoard::default();
        for (attendee, vote, at) in stored.pace_votes {
            pace.cast(attendee, Some(vote), at);
        }
        let polls = PollBoard::restored(stored.polls, stored.poll_answers, stored.word_answers);
        let mut lab = LabBoard::default();
        for (section, attendee, state) in stored.lab_signals {
            lab.set(section, attendee, Some(state));
        }
        self.help = HelpQueue::restored(stored.help_requests);
        if let Some(agenda) = stored.agenda {
            self.agenda = agenda;
        }
        let questions = QuestionBoard::restored(stored.questions, stored.question_votes);
        self.polls = polls;
        self.lab = lab;
        self.questions = questions;
        self.pace_samples = stored.pace_samples;
        let mut checkins = CheckInBoard::default();
        for (attendee, check_in) in stored.check_ins {
            checkins.record(attendee, check_in);
        }
        self.pace = pace;
        self.checkins = checkins;
        self.checkin_tally = None;
        self.lifecycle.started_at = stored.started_at;
        self.lifecycle.ended_at = stored.ended_at;
        self.places_read_at = stored.places_read_at;
        self.overlay = stored.overlay;
        self.log_seq = stored.seq;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::change::Change;
    use crate::core::clock;
    use crate::domain::agenda::AgendaCommand;
    use crate::domain::event::{Lifecycle, SectionKind};
    use crate::domain::pace::PaceVote;
    use std::time::Duration;

    fn state() -> RoomState {
        RoomState::new(
            Lifecycle {
                starts_at: Utc::now(),
                doors_open_minutes: 30,
                started_at: None,
                ended_at: None,
            },
            Agenda::planned(&[
                crate::domain::event::Section {
                    title: "Overview".into(),
                    kind: SectionKind::Teaching,
                    minutes: 10,
                    exercise_minutes: 0,
                },
                crate::domain::event::Section {
                    title: "Lab".into(),
                    kind: SectionKind::Lab,
                    minutes: 20,
                    exercise_minutes: 15,
                },
            ]),
            pace::DEFAULT_EXPIRY_MINUTES,
            Clock::default(),
        )
    }

    fn id(attendee: &str) -> AttendeeId {
        AttendeeId::parse(attendee).unwrap()
    }

    fn vote(attendee: &str, vote: PaceVote) -> Change {
        Change::Pace {
            attendee: id(attendee),
            vote: Some(vote),
            at: clock::now(),
        }
    }

    fn drive(room: &mut RoomState, command: AgendaCommand) {
        let agenda = room
            .agenda
            .apply(room.agenda.version, &command, clock::now())
            .unwrap();
        room.apply(&Change::Agenda { agenda });
    }

    #[tokio::test(start_paused = true)]
    async fn pace_votes_expire_after_five_minutes_on_the_rooms_clock() {
        let mut room = state();
        drive(&mut room, AgendaCommand::Begin);
        room.apply(&vote("ana", PaceVote::Slower));
        tokio::time::advance(Duration::from_secs(120)).await;
        room.apply(&vote("ben", PaceVote::Faster));
        tokio::time::advance(Duration::from_secs(170)).await;
        assert!(!room.tend(clock::now()), "4 min 50 s: both still count");
        assert_eq!(room.snapshot().pace.total(), 2);
        tokio::time::advance(Duration::from_secs(11)).await;
        assert!(room.tend(clock::now()));
        let pace = room.snapshot().pace;
        assert_eq!(
            (pace.slower, pace.faster),
            (0, 1),
            "ana's vote is 5 min 1 s old"
        );
        tokio::time::advance(Duration::from_secs(120)).await;
        assert!(room.tend(clock::now()));
        assert_eq!(room.snapshot().pace.total(), 0);
    }

    #[tokio::test(start_paused = true)]
    async fn the_next_section_starts_the_pace_afresh() {
        let mut room = state();
        drive(&mut room, AgendaCommand::Begin);
        room.apply(&vote("ana", PaceVote::Slower));
        room.apply(&vote("ben", PaceVote::Slower));
        tokio::time::advance(Duration::from_secs(60)).await;
        drive(&mut room, AgendaCommand::Next);
        assert_eq!(
            room.snapshot().pace.total(),
            0,
            "votes about the overview are gone"
        );
        tokio::time::advance(Duration::from_secs(1)).await;
        room.apply(&vote("ana", PaceVote::Faster));
        assert_eq!(room.snapshot().pace.faster, 1);
        let stale = Change::Pace {
            attendee: id("cyd"),
            vote: Some(PaceVote::Slower),
            at: clock::now() - chrono::Duration::seconds(30),
        };
        room.apply(&stale);
        assert_eq!(
            room.snapshot().pace.slower,
            0,
            "a vote cast before the section changed (relayed late) does not count"
        );
    }

    #[tokio::test(start_paused = true)]
    async fn the_room_samples_the_pace_every_thirty_seconds_while_live() {
        let mut room = state();
        assert_eq!(
            room.sample(clock::now(), 30),
            None,
            "nothing before the start"
        );
        room.apply(&Change::Started { at: clock::now() });
        drive(&mut room, AgendaCommand::Begin);
        room.online.attendees = 4;
        room.apply(&vote("ana", PaceVote::Slower));
        let first = room.sample(clock::now(), 30).expect("a first sample");
        assert_eq!(
            (first.counts.slower, first.online, first.section),
            (1, 4, Some(1))
        );
        assert_eq!(room.sample(clock::now(), 30), None, "one per slot");
        tokio::time::advance(Duration::from_secs(30)).await;
        assert!(room.sample(clock::now(), 30).is_some());
        let staff = room.full_snapshot(true).staff.unwrap();
        assert_eq!(staff.pace_trend.len(), 2);
        assert_eq!(staff.pace_history[0].peak_slower, 25);
    }

    #[test]
    fn an_older_agenda_never_replaces_a_newer_one() {
        let mut room = state();
        let begun = room
            .agenda
            .apply(0, &AgendaCommand::Begin, clock::now())
            .unwrap();
        let next = begun.apply(1, &AgendaCommand::Next, clock::now()).unwrap();
        room.apply(&Change::Agenda { agenda: next });
        room.apply(&Change::Agenda { agenda: begun });
        assert_eq!(room.agenda.current, Some(2));
    }

    #[test]
    fn applying_a_change_again_changes_nothing() {
        let mut room = state();
        let faster = vote("a", PaceVote::Faster);
        room.apply(&faster);
        room.apply(&faster);
        assert_eq!(room.pace.counts().faster, 1);
        room.apply(&Change::Pace {
            attendee: id("a"),
            vote: None,
            at: clock::now(),
        });
        assert_eq!(room.pace.counts().total(), 0);
    }

    #[test]
    fn the_first_start_and_end_stand_and_places_read_only_moves_forward() {
        let mut room = state();
        let early = Utc::now();
        let later = early + chrono::Duration::seconds(5);
        room.apply(&Change::Started { at: early });
        room.apply(&Change::Started { at: later });
        assert_eq!(room.lifecycle.started_at, Some(early));
        room.apply(&Change::Ended { at: later });
        room.apply(&Change::Ended { at: early });
        assert_eq!(room.lifecycle.ended_at, Some(later));
        room.apply(&Change::PlacesRead { at: later });
        room.apply(&Change::PlacesRead { at: early });
        assert_eq!(room.places_read_at, Some(later));
    }

    #[test]
    fn others_on_other_replicas_count_as_online() {
        let mut room = state();
        room.online.attendees = 3;
        room.elsewhere.attendees = 4;
        room.elsewhere.staff = 1;
        let online = room.snapshot().online;
        assert_eq!((online.attendees, online.staff), (7, 1));
    }
}
