//! The WebSocket protocol between a page and its event's hub, shared by both sides.
//!
//! Messages are JSON text frames tagged by `type`. The server is authoritative: clients
//! send small actions ([`ClientMsg`]), the server answers each with an [`ServerMsg::Ack`]
//! or an [`ServerMsg::Error`] carrying the action's client-made id, and pushes the live
//! state, numbered by `seq`, coalesced in time: the whole of it ([`ServerMsg::Snapshot`])
//! when a page joins or resyncs, and after that only what changed ([`ServerMsg::Delta`],
//! see [`delta`]). A client that reconnects simply takes a new snapshot: there is no
//! history to replay.

use crate::domain::agenda::{AgendaCommand, AgendaWire, SectionId};
use crate::domain::checkin::{CheckIn, CheckInTally};
use crate::domain::help::{HelpAction, HelpLine, HelpView, LineSummary, Ticket};
use crate::domain::lab::{LabCounts, LabSignal, StuckNote};
use crate::domain::overlay::{OverlayScene, OverlayView};
use crate::domain::pace::{PaceCounts, PaceSample, PaceVote, SectionPace};
use crate::domain::poll::{PollId, PollView};
use crate::domain::question::{Moderation, QuestionId, QuestionState, QuestionView};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

mod delta;
pub use delta::{Applied, LiveDelta};

/// The largest text frame a client may send; anything bigger is refused unread.
pub const MAX_CLIENT_MESSAGE_BYTES: usize = 4 * 1024;

/// A client-made id for one action, so a retry after a lost ack is recognised.
pub type ActionId = Uuid;

/// What a page asks of the hub.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ClientMsg {
    /// An attendee's pace vote; `None` takes it back.
    Pace {
        id: ActionId,
        vote: Option<PaceVote>,
    },
    /// The presenter starts the tutorial: waiting screens turn into the live view.
    Start {
        id: ActionId,
    },
    /// The presenter ends the tutorial.
    End {
        id: ActionId,
    },
    /// An attendee says where they are joining from (again, to change it).
    CheckIn {
        id: ActionId,
        place: String,
        #[serde(default)]
        name: String,
    },
    /// The presenter or a co-instructor has read the new places out.
    MarkPlacesRead {
        id: ActionId,
    },
    /// The presenter drives the agenda: `from` is the agenda version the page saw, so a
    /// command made on a stale screen is refused instead of applied twice.
    Agenda {
        id: ActionId,
        from: u64,
        command: AgendaCommand,
    },
    /// The presenter or a co-instructor asks a poll; the action's id becomes the poll's.
    /// No options means yes / no.
    AskPoll {
        id: ActionId,
        question: String,
        #[serde(default)]
        options: Vec<String>,
        /// Attendees see the results only once they are revealed.
        #[serde(default)]
        hide_results: bool,
        /// A quiz's right choices (none for a poll); a quiz always hides its results.
        #[serde(default)]
        right: Vec<u8>,
        /// A word cloud: no choices; attendees answer in up to three words of their own.
        #[serde(default)]
        words: bool,
    },
    ClosePoll {
        id: ActionId,
        poll: PollId,
    },
    ReopenPoll {
        id: ActionId,
        poll: PollId,
    },
    /// Shows a poll's hidden results to attendees, the stage and the overlay.
    RevealPoll {
        id: ActionId,
        poll: PollId,
    },
    /// An attendee answers (or changes their answer to) an open poll.
    Answer {
        id: ActionId,
        poll: PollId,
        choice: u8,
    },
    /// An attendee's answers (up to three) to an open word cloud, replacing theirs.
    Words {
        id: ActionId,
        poll: PollId,
        answers: Vec<String>,
    },
    /// A co-instructor hides a word (by its group key) from every cloud, or shows it.
    HideWord {
        id: ActionId,
        poll: PollId,
        key: String,
        hidden: bool,
    },
    /// An attendee's done / stuck in the current lab; `None` takes it back. A stuck
    /// attendee may add a note for the co-instructors.
    Lab {
        id: ActionId,
        signal: Option<LabSignal>,
        #[serde(default)]
        note: String,
    },
    /// An attendee asks a question; the action's id becomes the question's, so a retry
    /// asks it once. No name: anonymous.
    Ask {
        id: ActionId,
        text: String,
        #[serde(default)]
        name: String,
    },
    /// An attendee upvotes a question (`up`), or takes the upvote back.
    Upvote {
        id: ActionId,
        question: QuestionId,
        up: bool,
    },
    /// A co-instructor's action on a question (the presenter's: `take`), made on a
    /// screen that showed the question at `from` (its version).
    Moderate {
        id: ActionId,
        question: QuestionId,
        from: u64,
        action: Moderation,
    },
    /// The presenter or a co-instructor chooses what the stream overlay shows.
    Overlay {
        id: ActionId,
        scene: OverlayScene,
    },
    /// A co-instructor's (or the presenter's) action on a request in the help queue.
    Help {
        id: ActionId,
        ticket: Ticket,
        action: HelpAction,
    },
    /// The page missed a change (a [`LiveDelta`] did not follow on from its state): the
    /// hub answers with the whole state, then the ack.
    Resync {
        id: ActionId,
    },
}

impl ClientMsg {
    pub fn id(&self) -> ActionId {
        match self {
            ClientMsg::Pace { id, .. }
            | ClientMsg::Start { id }
            | ClientMsg::End { id }
            | ClientMsg::CheckIn { id, .. }
            | ClientMsg::MarkPlacesRead { id }
            | ClientMsg::Agenda { id, .. }
            | ClientMsg::AskPoll { id, .. }
            | ClientMsg::ClosePoll { id, .. }
            | ClientMsg::ReopenPoll { id, .. }
            | ClientMsg::RevealPoll { id, .. }
            | ClientMsg::Words { id, .. }
            | ClientMsg::HideWord { id, .. }
            | ClientMsg::Answer { id, .. }
            | ClientMsg::Lab { id, .. }
            | ClientMsg::Ask { id, .. }
            | ClientMsg::Upvote { id, .. }
            | ClientMsg::Moderate { id, .. }
            | ClientMsg::Overlay { id, .. }
            | ClientMsg::Help { id, .. }
            | ClientMsg::Resync { id } => *id,
        }
    }
}

/// Who is on the other end of a connection, as the hub sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Viewer {
    Attendee,
    Presenter,
    Moderator,
    /// The stage screen shared into the call: it watches and never acts.
    Stage,
}

impl Viewer {
    pub fn of_role(role: crate::domain::event::Role) -> Self {
        match role {
            crate::domain::event::Role::Presenter => Viewer::Presenter,
            crate::domain::event::Role::Moderator => Viewer::Moderator,
        }
    }

    /// Its name in logs and metrics.
    pub fn label(self) -> &'static str {
        match self {
            Viewer::Attendee => "attendee",
            Viewer::Presenter => "presenter",
            Viewer::Moderator => "moderator",
            Viewer::Stage => "stage",
        }
    }

    /// The `as` query of the live socket's address (`None` for attendees).
    pub fn query(self) -> Option<&'static str> {
        match self {
            Viewer::Attendee => None,
            Viewer::Presenter => Some("presenter"),
            Viewer::Moderator => Some("moderator"),
            Viewer::Stage => Some("stage"),
        }
    }
}

/// How many pages are connected right now.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Online {
    pub attendees: u32,
    /// Presenters and co-instructors.
    pub staff: u32,
    /// Stage screens.
    #[serde(default)]
    pub screens: u32,
}

/// Everything live about an event, as every page sees it. Read as a [`LiveDelta`] with
/// every field (one reader for both messages in the attendee's bundle).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(from = "LiveDelta")]
pub struct LiveSnapshot {
    /// Increases by one with every snapshot the hub publishes; a client ignores older ones.
    pub seq: u64,
    pub pace: PaceCounts,
    pub online: Online,
    /// When the presenter pressed Start, if they have.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub started_at: Option<DateTime<Utc>>,
    /// When the presenter pressed End, if they have.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ended_at: Option<DateTime<Utc>>,
    /// Who is here from where.
    pub checkins: CheckInTally,
    /// The server's clock when the snapshot was made: pages measure their offset from it
    /// and compute the section clock from the agenda's moments.
    pub now: DateTime<Utc>,
    /// The agenda as it runs, with the section clock, in its small wire form (pages
    /// add the event's own plan: [`crate::domain::agenda::Agenda::from_wire`]).
    pub agenda: AgendaWire,
    /// The poll attendees see: the open one, else the last asked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub poll: Option<PollView>,
    /// Done / stuck in the current section.
    #[serde(default, skip_serializing_if = "LabCounts::is_empty")]
    pub lab: LabCounts,
    /// The current lab's help queue, in the order pressed, by ticket (each stuck page
    /// finds its own place and who is coming).
    #[serde(default, skip_serializing_if = "HelpLine::is_empty")]
    pub help: HelpLine,
    /// The public questions, pinned then most upvoted first (at most
    /// [`PUBLIC_QUESTIONS`]).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub questions: Vec<QuestionView>,
    /// The state of each question nobody but its asker knows of (waiting for review,
    /// dismissed): the asker, who holds its id, follows it; its text stays private.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub hidden_questions: Vec<(QuestionId, QuestionState)>,
    /// What the stream overlay shows; none: nothing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub overlay: Option<OverlayView>,
    /// What only the presenter and co-instructors see.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub staff: Option<StaffSnapshot>,
}

/// The part of a snapshot for the presenter and co-instructors.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct StaffSnapshot {
    /// Every poll, newest first, with the section it was asked in.
    pub polls: Vec<PollView>,
    /// The pace tally over the last ten minutes, oldest first.
    pub pace_trend: Vec<PaceSample>,
    /// How the pace felt in each section so far.
    pub pace_history: Vec<SectionPace>,
    /// What stuck attendees wrote, newest first.
    pub stuck_notes: Vec<StuckNote>,
    /// The current lab's help queue in the order pressed, with names and notes.
    #[serde(default)]
    pub help: Vec<HelpView>,
    /// How many wait and the longest untaken wait, for the presenter.
    #[serde(default)]
    pub help_summary: LineSummary,
    /// Every question, whatever its state, pinned then most upvoted first.
    #[serde(default)]
    pub queue: Vec<QuestionView>,
    /// Whether questions wait for a co-instructor's approval before they are public.
    #[serde(default)]
    pub pre_moderation: bool,
    /// Places checked in since the presenter last read them out, oldest first (at most
    /// [`crate::domain::checkin::UNREAD`]).
    #[serde(default)]
    pub unread_places: Vec<String>,
}

/// How many public questions a snapshot carries: the rest wait their turn, so a room
/// with hundreds of questions does not send them all to thousands of pages.
pub const PUBLIC_QUESTIONS: usize = 50;
/// How many pages of one event one attendee (one browser) may have open at once: a few
/// tabs, not a thousand sockets on one cookie.
pub const MAX_PAGES_PER_ATTENDEE: usize = 10;
/// How many hidden questions' states a snapshot carries, the newest first.
pub const HIDDEN_QUESTIONS: usize = 50;
/// The most a public snapshot message weighs, whatever attendees send: every page gets
/// it, several times a second, so one troll's thousand places or hundred long questions
/// must not reach a thousand phones ([`LiveSnapshot::fit_within`]).
pub const MAX_PUBLIC_SNAPSHOT_BYTES: usize = 16 * 1024;

impl LiveSnapshot {
    /// Leaves out what attendees wrote until the snapshot, as a message, takes at most
    /// `max_bytes`: each time one item from whichever of their lists weighs most (the
    /// questions, the places, the hidden questions' states, the newest places, the
    /// countries), from its end, so the lowest-ranked go first and every list keeps
    /// its best.
    pub fn fit_within(&mut self, max_bytes: usize) {
        // What the message adds around the snapshot: {"type":"snapshot",…}.
        const ENVELOPE: usize = 32;
        let size = |s: &Self| serde_json::to_vec(s).map_or(usize::MAX, |b| b.len()) + ENVELOPE;
        let mut over = size(self).saturating_sub(max_bytes);
        while over > 0 {
            let mut lists = [
                Weighed::of(&self.questions),
                Weighed::of(&self.checkins.places),
                Weighed::of(&self.hidden_questions),
                Weighed::of(&self.checkins.newest),
                Weighed::of(&self.checkins.countries),
                Weighed::of(self.poll.as_ref().map_or(&[][..], |p| &p.cloud)),
            ];
            let mut keep = lists.each_ref().map(|l| l.sizes.len());
            while over > 0 {
                let Some((heaviest, list)) = lists
                    .iter_mut()
                    .enumerate()
                    .filter(|(_, l)| l.total > 0)
                    .max_by_key(|(_, l)| l.total)
                else {
                    // Nothing left that attendees wrote: the rest is the staff's.
                    return;
                };
                over = over.saturating_sub(list.drop_last());
                keep[heaviest] -= 1;
            }
            self.questions.truncate(keep[0]);
            self.checkins.places.truncate(keep[1]);
            self.hidden_questions.truncate(keep[2]);
            self.checkins.newest.truncate(keep[3]);
            self.checkins.countries.truncate(keep[4]);
            if let Some(poll) = self.poll.as_mut() {
                poll.cloud.truncate(keep[5]);
            }
            // Item sizes were estimates (the commas between them): measure again.
            over = size(self).saturating_sub(max_bytes);
        }
    }
}

/// The serialized sizes of a list's items, for [`LiveSnapshot::fit_within`].
struct Weighed {
    sizes: Vec<usize>,
    total: usize,
}

impl Weighed {
    fn of<T: Serialize>(list: &[T]) -> Self {
        let sizes: Vec<usize> = list
            .iter()
            .map(|item| serde_json::to_vec(item).map_or(0, |b| b.len() + 1))
            .collect();
        let total = sizes.iter().sum();
        Self { sizes, total }
    }

    /// Forgets the last item; its size.
    fn drop_last(&mut self) -> usize {
        let size = self.sizes.pop().unwrap_or(0);
        self.total -= size;
        size
    }
}

/// Why the server refused an action or a frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// The frame was not a message this protocol knows.
    Malformed,
    /// The frame was larger than [`MAX_CLIENT_MESSAGE_BYTES`].
    TooLarge,
    /// The sender's role may not do this.
    Forbidden,
    /// The action's content was refused (an empty or overlong place, say).
    Invalid,
    /// The action does not fit the event's state (e.g. starting it twice).
    Refused,
    /// The server could not store the action; it was not applied. Safe to retry.
    Unavailable,
    /// Too many actions too fast (a flood): this one was not applied. Wait and retry.
    TooFast,
    /// Too many pages of this event open in one browser: this one is closed (it tries
    /// again later, as after any lost connection).
    TooMany,
    /// The event's word filter refused the text (nothing was stored): say it another way.
    Filtered,
    /// The role link this page came in by was revoked or replaced: the page is closed
    /// and must not reconnect (it would be refused).
    Revoked,
}

/// What the hub tells a page.
// A snapshot is far bigger than the other messages, but each message is made once and
// serialized at once: boxing it would only add an allocation.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ServerMsg {
    /// First message on every connection: who you are and your own sticky state.
    Welcome {
        viewer: Viewer,
        /// The server's clock as it greets the page: the page measures its clock's
        /// offset from it (a joining page's first snapshot may be the one published a
        /// while ago, its `now` as old).
        now: DateTime<Utc>,
        pace: Option<PaceVote>,
        /// When that pace vote was cast (server time): it stops counting after a while.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pace_at: Option<DateTime<Utc>>,
        /// This attendee's own check-in, to show and edit.
        #[serde(default)]
        check_in: Option<CheckIn>,
        /// This attendee's answer to the poll on screen, if they gave one.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        poll_answer: Option<(PollId, u8)>,
        /// This attendee's answers to the word cloud on screen, if they gave some.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        words: Option<(PollId, Vec<String>)>,
        /// This attendee's done / stuck in the current section.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        lab: Option<(SectionId, LabSignal)>,
        /// This attendee's ticket in the current lab's help queue, if they are in it.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        help_ticket: Option<Ticket>,
        /// The questions this attendee asked.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        my_questions: Vec<QuestionId>,
        /// The questions this attendee upvoted.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        my_upvotes: Vec<QuestionId>,
    },
    /// The whole live state: on joining, on a resync, and always to the staff.
    Snapshot(LiveSnapshot),
    /// What changed since the page's snapshot `from` ([`LiveSnapshot::apply`]).
    Delta(LiveDelta),
    /// The action with this id is stored and applied.
    Ack { id: ActionId },
    /// The action with this id (or the frame, when `id` is absent) was refused.
    Error {
        id: Option<ActionId>,
        code: ErrorCode,
        message: String,
    },
    /// The server is going away or this connection fell behind: reconnect and resync.
    Reconnect { reason: String },
}

impl ServerMsg {
    pub fn to_json(&self) -> String {
        // Serializing these plain enums cannot fail: no maps with non-string keys, no I/O.
        serde_json::to_string(self).unwrap_or_default()
    }
}

/// Parses one text frame from a client, with the error to send back when it is not valid.
pub fn decode_client(frame: &str) -> Result<ClientMsg, FrameError> {
    if frame.len() > MAX_CLIENT_MESSAGE_BYTES {
        return Err(FrameError {
            code: ErrorCode::TooLarge,
            message: format!(
                "message is {} bytes; at most {MAX_CLIENT_MESSAGE_BYTES}",
                frame.len()
            ),
        });
    }
    serde_json::from_str(frame).map_err(|e| FrameError {
        code: ErrorCode::Malformed,
        message: format!("not a Lectern message: {e}"),
    })
}

/// Why a frame could not be read as a message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FrameError {
    pub code: ErrorCode,
    pub message: String,
}

impl From<FrameError> for ServerMsg {
    fn from(e: FrameError) -> Self {
        ServerMsg::Error {
            id: None,
            code: e.code,
            message: e.message,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_big_word_cloud_is_cut_to_fit_a_snapshot() {
        use crate::domain::cloud::CloudWord;
        use crate::domain::poll::{PollSpec, PollView};
        let cloud: Vec<CloudWord> = (0..400)
            .map(|i| CloudWord {
                label: format!("{i:0>40}"),
                key: format!("{i:0>40}"),
                count: 1,
            })
            .collect();
        let mut snapshot = LiveSnapshot {
            poll: Some(PollView {
                spec: PollSpec::words(Uuid::nil(), "In one word?", None).unwrap(),
                asked_at: Utc::now(),
                open: true,
                results_shown: true,
                quiz: false,
                counts: Vec::new(),
                cloud,
                hidden_cloud: Vec::new(),
                respondents: 400,
            }),
            ..LiveSnapshot::default()
        };
        snapshot.fit_within(MAX_PUBLIC_SNAPSHOT_BYTES);
        let size = serde_json::to_vec(&ServerMsg::Snapshot(snapshot.clone()))
            .unwrap()
            .len();
        assert!(size <= MAX_PUBLIC_SNAPSHOT_BYTES, "{size}");
        let kept = snapshot.poll.unwrap().cloud;
        assert!(kept.len() > 50 && kept.len() < 400, "{}", kept.len());
        assert_eq!(kept[0].label, format!("{:0>40}", 0), "the most given stay");
    }

    #[test]
    fn a_pace_vote_round_trips_as_tagged_json() {
        let id = Uuid::nil();
        let msg = ClientMsg::Pace {
            id,
            vote: Some(PaceVote::Slower),
        };
        let json = serde_json::to_string(&msg).unwrap();
        assert_eq!(
            json,
            r#"{"type":"pace","id":"00000000-0000-0000-0000-000000000000","vote":"slower"}"#
        );
        assert_eq!(decode_client(&json).unwrap(), msg);
    }

    #[test]
    fn malformed_frames_get_a_malformed_error() {
        for frame in [
            "",
            "{",
            "null",
            r#"{"type":"pace"}"#,
            r#"{"type":"launch_rocket"}"#,
            r#"{"type":"pace","id":"x","vote":"slower"}"#,
        ] {
            match decode_client(frame) {
                Err(FrameError {
                    code: ErrorCode::Malformed,
                    ..
                }) => {}
                other => panic!("{frame:?} gave {other:?}"),
            }
        }
    }

    #[test]
    fn oversized_frames_are_refused_before_parsing() {
        let frame = "x".repeat(MAX_CLIENT_MESSAGE_BYTES + 1);
        assert!(matches!(
            decode_client(&frame),
            Err(FrameError {
                code: ErrorCode::TooLarge,
                ..
            })
        ));
    }

    #[test]
    fn an_idle_rooms_snapshot_leaves_out_what_is_empty() {
        let json = ServerMsg::Snapshot(LiveSnapshot::default()).to_json();
        for absent in ["started_at", "poll", "lab", "questions", "hidden_questions"] {
            assert!(
                !json.contains(&format!("\"{absent}\"")),
                "{absent} in {json}"
            );
        }
        assert!(!json.contains("\"staff\":{"), "{json}");
        let back: ServerMsg = serde_json::from_str(&json).unwrap();
        assert_eq!(back, ServerMsg::Snapshot(LiveSnapshot::default()));
    }

    #[test]
    fn snapshots_serialize_flat_with_their_sequence_number() {
        let json = ServerMsg::Snapshot(LiveSnapshot {
            seq: 7,
            ..Default::default()
        })
        .to_json();
        assert!(json.starts_with(r#"{"type":"snapshot","seq":7,"#), "{json}");
    }
}
