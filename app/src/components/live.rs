//! The page's end of the live connection: one WebSocket to the event's hub, kept open
//! with reconnects (exponential backoff with jitter), and its state as signals.
//!
//! Actions wait in an outbox until the server acknowledges them and are re-sent after a
//! reconnect; their client-made ids make a re-send harmless. After every (re)connect the
//! first snapshot is taken whatever its number (the server may have restarted), later
//! ones only when newer.

use crate::api::EventPublic;
use crate::domain::agenda::{Agenda, AgendaCommand, SectionId};
use crate::domain::checkin::{CheckIn, CheckInTally};
use crate::domain::event::{Lifecycle, Phase, Section};
use crate::domain::help::Ticket;
use crate::domain::lab::LabSignal;
use crate::domain::pace::{self, PaceVote};
use crate::domain::poll::PollId;
use crate::live::{ClientMsg, LiveSnapshot, Viewer};
use chrono::{DateTime, Utc};
use leptos::prelude::*;

/// Where the connection stands, for the status pill.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkState {
    Connecting,
    Live,
    /// Lost; trying again in this many seconds.
    Retrying(u32),
    /// Closed for good: the link this page came in by no longer works.
    Closed,
}

/// The signals a page reads, and the way to send actions. Cheap to copy into closures.
#[derive(Clone, Copy)]
pub struct LiveHandle {
    pub state: RwSignal<LinkState>,
    pub snapshot: RwSignal<Option<LiveSnapshot>>,
    /// This attendee's own pace vote, shown at once and confirmed by the server.
    pub my_pace: RwSignal<Option<PaceVote>>,
    /// The last refusal from the server (or the page's own), said in the page's language.
    pub notice: RwSignal<Option<crate::lang::Notice>>,
    /// This attendee's own check-in, as last sent or as the server knew it.
    pub my_check_in: RwSignal<Option<CheckIn>>,
    /// When this attendee's pace vote was cast, on the server's clock: it stops counting
    /// after the event's expiry time or a section change.
    pub my_pace_at: RwSignal<Option<DateTime<Utc>>>,
    /// This attendee's answer to the poll on screen.
    pub my_answer: RwSignal<Option<(PollId, u8)>>,
    /// A question the server refused, given back to the form that sent it (its text
    /// is not lost).
    pub returned_question: RwSignal<Option<String>>,
    /// This attendee's answers to the word cloud on screen.
    pub my_words: RwSignal<Option<(PollId, Vec<String>)>>,
    /// This attendee's done / stuck in the current lab.
    pub my_lab: RwSignal<Option<(SectionId, LabSignal)>>,
    /// This attendee's ticket in the current lab's help queue (the id of the Stuck press
    /// that put them in line).
    pub my_ticket: RwSignal<Option<(SectionId, Ticket)>>,
    /// How far the server's clock is ahead of this browser's, in milliseconds.
    pub offset_ms: RwSignal<i64>,
    /// The event's own agenda, as the page was rendered with it: snapshots carry only
    /// what changes.
    planned: StoredValue<Vec<Section>>,
    /// How long a pace vote counts, as the event says.
    pub pace_expiry_minutes: u32,
    /// The questions this attendee asked (ids; their states come in snapshots).
    pub my_questions: RwSignal<Vec<crate::domain::question::QuestionId>>,
    /// The questions this attendee upvoted.
    pub my_upvotes: RwSignal<Vec<crate::domain::question::QuestionId>>,
    #[cfg(feature = "hydrate")]
    client: StoredValue<Option<std::rc::Rc<client::Client>>, LocalStorage>,
}

impl LiveHandle {
    /// Sets (or with `None` takes back) this attendee's pace vote.
    pub fn vote_pace(&self, vote: Option<PaceVote>) {
        let since = self
            .snapshot
            .with_untracked(|s| s.as_ref().and_then(|s| s.agenda.current_since));
        self.my_pace.set(vote);
        self.my_pace_at
            .set(Some(pace::cast_at(self.server_time(Utc::now()), since)));
        #[cfg(feature = "hydrate")]
        if let Some(client) = self.client.get_value() {
            client.send_pace(vote);
        }
    }

    /// Sends an action made with a fresh id; it waits in the outbox until acknowledged.
    pub fn act(&self, make: impl FnOnce(uuid::Uuid) -> ClientMsg) {
        self.notice.set(None);
        #[cfg(feature = "hydrate")]
        if let Some(client) = self.client.get_value() {
            client.send_new(make);
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = make;
    }

    /// The presenter's command to the agenda, made from the version this page shows.
    pub fn drive(&self, command: AgendaCommand) {
        let from = self.agenda().map_or(0, |a| a.version);
        self.act(|id| ClientMsg::Agenda { id, from, command });
    }

    /// This attendee's answer (or changed answer) to a poll.
    pub fn answer_poll(&self, poll: PollId, choice: u8) {
        self.my_answer.set(Some((poll, choice)));
        #[cfg(feature = "hydrate")]
        if let Some(client) = self.client.get_value() {
            client.outbox_retain(|m| !matches!(m, ClientMsg::Answer { poll: p, .. } if *p == poll));
        }
        self.act(|id| ClientMsg::Answer { id, poll, choice });
    }

    /// This attendee's answers (or changed answers) to a word cloud.
    pub fn answer_words(&self, poll: PollId, answers: Vec<String>) {
        self.my_words.set(Some((poll, answers.clone())));
        #[cfg(feature = "hydrate")]
        if let Some(client) = self.client.get_value() {
            client.outbox_retain(|m| !matches!(m, ClientMsg::Words { poll: p, .. } if *p == poll));
        }
        self.act(|id| ClientMsg::Words { id, poll, answers });
    }

    /// This attendee's done / stuck (or `None` to take it back) in the current lab.
    pub fn signal_lab(&self, section: SectionId, signal: Option<LabSignal>, note: String) {
        self.my_lab.set(signal.map(|s| (section, s)));
        #[cfg(feature = "hydrate")]
        if let Some(client) = self.client.get_value() {
            client.outbox_retain(|m| !matches!(m, ClientMsg::Lab { .. }));
        }
        self.act(|id| {
            // The first Stuck's id is the ticket; a second keeps the place it got.
            match signal {
                Some(LabSignal::Stuck)
                    if self
                        .my_ticket
                        .get_untracked()
                        .is_some_and(|(s, _)| s == section) => {}
                Some(LabSignal::Stuck) => self.my_ticket.set(Some((section, id))),
                _ => self.my_ticket.set(None),
            }
            ClientMsg::Lab { id, signal, note }
        });
    }

    /// A co-instructor's action on a request in the help queue.
    pub fn help(&self, ticket: Ticket, action: crate::domain::help::HelpAction) {
        self.act(|id| ClientMsg::Help { id, ticket, action });
    }

    /// Asks a question; its id is made here, so a re-send after a reconnect asks once.
    pub fn ask_question(&self, text: String, name: String) {
        self.act(|id| {
            self.my_questions.update(|mine| mine.push(id));
            ClientMsg::Ask { id, text, name }
        });
    }

    /// Upvotes a question, or takes the upvote back.
    pub fn upvote(&self, question: crate::domain::question::QuestionId, up: bool) {
        self.my_upvotes.update(|mine| {
            mine.retain(|q| *q != question);
            if up {
                mine.push(question);
            }
        });
        self.act(|id| ClientMsg::Upvote { id, question, up });
    }

    /// A co-instructor's (or the presenter's `take`) action on a question seen at `from`.
    pub fn moderate(
        &self,
        question: crate::domain::question::QuestionId,
        from: u64,
        action: crate::domain::question::Moderation,
    ) {
        self.act(|id| ClientMsg::Moderate {
            id,
            question,
            from,
            action,
        });
    }

    /// The running agenda, once the first snapshot is in.
    pub fn agenda(&self) -> Option<Agenda> {
        self.snapshot.with(|s| {
            s.as_ref().map(|s| {
                self.planned
                    .with_value(|planned| Agenda::from_wire(&s.agenda, planned))
            })
        })
    }

    /// A moment of this browser's clock, on the server's clock.
    pub fn server_time(&self, local: DateTime<Utc>) -> DateTime<Utc> {
        local + chrono::Duration::milliseconds(self.offset_ms.get_untracked())
    }

    /// This attendee's pace vote while it still counts (not expired, same section).
    pub fn counting_pace(&self, now: DateTime<Utc>) -> Option<PaceVote> {
        let vote = self.my_pace.get()?;
        let since = self
            .snapshot
            .with(|s| s.as_ref().and_then(|s| s.agenda.current_since));
        let cast = self.my_pace_at.get()?;
        (cast >= pace::cutoff(self.server_time(now), self.pace_expiry_minutes, since))
            .then_some(vote)
    }

    /// The presenter's Start: waiting screens everywhere turn into the live view.
    pub fn start_event(&self) {
        self.notice.set(None);
        #[cfg(feature = "hydrate")]
        if let Some(client) = self.client.get_value() {
            client.send_new(|id| crate::live::ClientMsg::Start { id });
        }
    }

    /// Says (or changes) where this attendee is joining from.
    /// The check-in shows as made once the server acknowledges it.
    pub fn check_in(&self, place: String, name: String) {
        self.notice.set(None);
        #[cfg(not(feature = "hydrate"))]
        let _ = (place, name);
        #[cfg(feature = "hydrate")]
        if let Some(client) = self.client.get_value() {
            client.outbox_drop_check_ins();
            client.send_new(|id| crate::live::ClientMsg::CheckIn { id, place, name });
        }
    }

    /// The presenter or a co-instructor has read the new places out.
    pub fn mark_places_read(&self) {
        #[cfg(feature = "hydrate")]
        if let Some(client) = self.client.get_value() {
            client.send_new(|id| crate::live::ClientMsg::MarkPlacesRead { id });
        }
    }

    /// The presenter's End.
    pub fn end_event(&self) {
        self.notice.set(None);
        #[cfg(feature = "hydrate")]
        if let Some(client) = self.client.get_value() {
            client.send_new(|id| crate::live::ClientMsg::End { id });
        }
    }

    /// The latest check-in tally (empty until the first snapshot).
    pub fn checkins(&self) -> CheckInTally {
        self.snapshot
            .with(|s| s.as_ref().map(|s| s.checkins.clone()).unwrap_or_default())
    }

    /// The event's lifecycle as this page knows it: the stored one, updated by the
    /// latest snapshot's Start and End.
    pub fn lifecycle(&self, stored: Lifecycle) -> Lifecycle {
        self.snapshot.with(|s| match s {
            Some(s) => Lifecycle {
                started_at: s.started_at,
                ended_at: s.ended_at,
                ..stored
            },
            None => stored,
        })
    }
}

/// The clock and the event's phase as this page sees them: the stored lifecycle,
/// updated by the live Start and End, read against the ticking clock.
pub fn use_phase(live: LiveHandle, stored: Lifecycle) -> (RwSignal<DateTime<Utc>>, Memo<Phase>) {
    let now = use_clock();
    let phase = Memo::new(move |_| live.lifecycle(stored).phase(now.get()));
    (now, phase)
}

/// The current time, ticking every second in the browser (fixed on the server).
pub fn use_clock() -> RwSignal<DateTime<Utc>> {
    let now = RwSignal::new(Utc::now());
    #[cfg(feature = "hydrate")]
    {
        use wasm_bindgen::JsCast;
        let tick = wasm_bindgen::closure::Closure::<dyn FnMut()>::new(move || {
            let _ = now.try_set(Utc::now());
        });
        if let Some(window) = web_sys::window()
            && let Ok(handle) = window.set_interval_with_callback_and_timeout_and_arguments_0(
                tick.as_ref().unchecked_ref(),
                1000,
            )
        {
            on_cleanup(move || {
                if let Some(window) = web_sys::window() {
                    window.clear_interval_with_handle(handle);
                }
            });
        }
        tick.forget();
    }
    now
}

/// Opens the live connection for `slug` in the browser (on the server it only makes the
/// signals, seeded with `initial`). `viewer` says who this page is for.
/// `event` gives the address and what snapshots leave out (its own agenda, the pace
/// expiry).
pub fn use_live(event: &EventPublic, viewer: Viewer, initial: Option<LiveSnapshot>) -> LiveHandle {
    let slug = event.slug.clone();
    let handle = LiveHandle {
        state: RwSignal::new(LinkState::Connecting),
        snapshot: RwSignal::new(initial),
        my_pace: RwSignal::new(None),
        notice: RwSignal::new(None),
        my_check_in: RwSignal::new(None),
        my_pace_at: RwSignal::new(None),
        my_answer: RwSignal::new(None),
        my_words: RwSignal::new(None),
        returned_question: RwSignal::new(None),
        my_lab: RwSignal::new(None),
        my_ticket: RwSignal::new(None),
        offset_ms: RwSignal::new(0),
        planned: StoredValue::new(event.sections.clone()),
        pace_expiry_minutes: event.pace_expiry_minutes,
        my_questions: RwSignal::new(Vec::new()),
        my_upvotes: RwSignal::new(Vec::new()),
        #[cfg(feature = "hydrate")]
        client: StoredValue::new_local(None),
    };
    #[cfg(feature = "hydrate")]
    {
        handle
            .client
            .set_value(Some(client::Client::start(&slug, viewer, handle)));
        let stored = handle.client;
        on_cleanup(move || {
            if let Some(Some(client)) = stored.try_get_value() {
                client.stop();
            }
        });
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = (slug, viewer);
    handle
}

#[cfg(feature = "hydrate")]
mod client {
    use super::{LinkState, LiveHandle};
    use crate::domain::checkin::CheckIn;
    use crate::domain::pace::PaceVote;
    use crate::domain::place::PlaceText;
    use crate::lang::Notice;
    use crate::live::Viewer;
    use crate::live::{Applied, ClientMsg, ErrorCode, ServerMsg};
    use chrono::Utc;
    use leptos::prelude::*;
    use std::cell::{Cell, RefCell};
    use std::rc::Rc;
    use wasm_bindgen::JsCast;
    use wasm_bindgen::prelude::*;
    use web_sys::{CloseEvent, MessageEvent, WebSocket};

    pub struct Client {
        url: String,
        handle: LiveHandle,
        socket: RefCell<Option<WebSocket>>,
        /// Sent but not yet acknowledged, oldest first.
        outbox: RefCell<Vec<ClientMsg>>,
        /// Failed attempts since the last good connection, for the backoff.
        failures: Cell<u32>,
        /// The next snapshot is the first on this connection: take it whatever its number.
        fresh: Cell<bool>,
        /// A resync was asked for and its snapshot has not come yet.
        resyncing: Cell<bool>,
        stopped: Cell<bool>,
    }

    fn live_url(slug: &str, viewer: Viewer) -> String {
        let location = web_sys::window().map(|w| w.location());
        let secure = location
            .as_ref()
            .and_then(|l| l.protocol().ok())
            .is_some_and(|p| p == "https:");
        let host = location.and_then(|l| l.host().ok()).unwrap_or_default();
        let scheme = if secure { "wss" } else { "ws" };
        match viewer.query() {
            Some(role) => format!("{scheme}://{host}/e/{slug}/live?as={role}"),
            None => format!("{scheme}://{host}/e/{slug}/live"),
        }
    }

    /// A random v4 UUID from the browser's crypto (available on plain HTTP too).
    fn new_action_id() -> uuid::Uuid {
        let mut bytes = [0u8; 16];
        if let Some(crypto) = web_sys::window().and_then(|w| w.crypto().ok()) {
            let _ = crypto.get_random_values_with_u8_array(&mut bytes);
        }
        uuid::Builder::from_random_bytes(bytes).into_uuid()
    }

    impl Client {
        pub fn start(slug: &str, viewer: Viewer, handle: LiveHandle) -> Rc<Self> {
            let client = Rc::new(Self {
                url: live_url(slug, viewer),
                handle,
                socket: RefCell::new(None),
                outbox: RefCell::new(Vec::new()),
                failures: Cell::new(0),
                fresh: Cell::new(true),
                resyncing: Cell::new(false),
                stopped: Cell::new(false),
            });
            client.connect();
            client
        }

        pub fn stop(&self) {
            self.stopped.set(true);
            if let Some(socket) = self.socket.borrow_mut().take() {
                let _ = socket.close();
            }
        }

        pub fn send_pace(&self, vote: Option<PaceVote>) {
            let msg = ClientMsg::Pace {
                id: new_action_id(),
                vote,
            };
            // Only the latest pace vote matters: drop an older one still waiting.
            self.outbox
                .borrow_mut()
                .retain(|m| !matches!(m, ClientMsg::Pace { .. }));
            self.send(msg);
        }

        /// Only the latest check-in matters: drop an older one still waiting.
        pub fn outbox_drop_check_ins(&self) {
            self.outbox_retain(|m| !matches!(m, ClientMsg::CheckIn { .. }));
        }

        /// Drops the waiting actions a newer one replaces.
        pub fn outbox_retain(&self, keep: impl Fn(&ClientMsg) -> bool) {
            self.outbox.borrow_mut().retain(|m| keep(m));
        }

        /// Sends an action made with a fresh id, and keeps it until acknowledged.
        pub fn send_new(&self, make: impl FnOnce(uuid::Uuid) -> ClientMsg) {
            self.send(make(new_action_id()));
        }

        fn send(&self, msg: ClientMsg) {
            self.outbox.borrow_mut().push(msg.clone());
            self.transmit(&msg);
        }

        fn transmit(&self, msg: &ClientMsg) {
            if let Some(socket) = self.socket.borrow().as_ref()
                && socket.ready_state() == WebSocket::OPEN
                && let Ok(json) = serde_json::to_string(msg)
            {
                let _ = socket.send_with_str(&json);
            }
        }

        fn connect(self: &Rc<Self>) {
            if self.stopped.get() {
                return;
            }
            self.handle.state.set(if self.failures.get() == 0 {
                LinkState::Connecting
            } else {
                self.handle.state.get_untracked()
            });
            let Ok(socket) = WebSocket::new(&self.url) else {
                self.retry_later();
                return;
            };

            let me = self.clone();
            let on_open = Closure::<dyn FnMut()>::new(move || {
                me.failures.set(0);
                me.fresh.set(true);
                me.resyncing.set(false);
                me.handle.state.set(LinkState::Live);
                let pending = me.outbox.borrow().clone();
                for msg in &pending {
                    me.transmit(msg);
                }
            });
            socket.set_onopen(Some(on_open.as_ref().unchecked_ref()));
            on_open.forget();

            let me = self.clone();
            let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
                if let Some(text) = event.data().as_string()
                    && let Ok(msg) = serde_json::from_str::<ServerMsg>(&text)
                {
                    me.receive(msg);
                }
            });
            socket.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
            on_message.forget();

            let me = self.clone();
            let on_close = Closure::<dyn FnMut(CloseEvent)>::new(move |_event: CloseEvent| {
                me.socket.borrow_mut().take();
                me.retry_later();
            });
            socket.set_onclose(Some(on_close.as_ref().unchecked_ref()));
            on_close.forget();

            *self.socket.borrow_mut() = Some(socket);
        }

        fn receive(self: &Rc<Self>, msg: ServerMsg) {
            let handle = self.handle;
            match msg {
                ServerMsg::Welcome {
                    now,
                    pace,
                    pace_at,
                    check_in,
                    poll_answer,
                    words,
                    lab,
                    help_ticket,
                    my_questions,
                    my_upvotes,
                    ..
                } => {
                    handle.offset_ms.set((now - Utc::now()).num_milliseconds());
                    handle.my_questions.update(|mine| {
                        for id in my_questions {
                            if !mine.contains(&id) {
                                mine.push(id);
                            }
                        }
                    });
                    if !self
                        .outbox
                        .borrow()
                        .iter()
                        .any(|m| matches!(m, ClientMsg::Upvote { .. }))
                    {
                        handle.my_upvotes.set(my_upvotes);
                    }
                    // An unacknowledged action of ours is newer than what the server knew.
                    let outbox = self.outbox.borrow();
                    if !outbox.iter().any(|m| matches!(m, ClientMsg::Pace { .. })) {
                        handle.my_pace.set(pace);
                        handle.my_pace_at.set(pace_at);
                    }
                    if !outbox.iter().any(|m| matches!(m, ClientMsg::Answer { .. })) {
                        handle.my_answer.set(poll_answer);
                    }
                    if !outbox.iter().any(|m| matches!(m, ClientMsg::Words { .. })) {
                        handle.my_words.set(words);
                    }
                    if !outbox.iter().any(|m| matches!(m, ClientMsg::Lab { .. })) {
                        handle.my_lab.set(lab);
                        handle
                            .my_ticket
                            .set(lab.zip(help_ticket).map(|((section, _), t)| (section, t)));
                    }
                    if !outbox
                        .iter()
                        .any(|m| matches!(m, ClientMsg::CheckIn { .. }))
                    {
                        handle.my_check_in.set(check_in);
                    }
                }
                ServerMsg::Snapshot(snapshot) => {
                    // The server's clock when it made the snapshot, at most a moment
                    // before now: the largest offset seen on this connection (from its
                    // welcome on) is the one least delayed on the way.
                    let offset = (snapshot.now - Utc::now()).num_milliseconds();
                    if offset > handle.offset_ms.get_untracked() {
                        handle.offset_ms.set(offset);
                    }
                    let newer = handle
                        .snapshot
                        .with_untracked(|s| s.as_ref().is_none_or(|s| snapshot.seq > s.seq));
                    if self.fresh.replace(false) || newer {
                        handle.snapshot.set(Some(snapshot));
                    }
                    self.resyncing.set(false);
                }
                ServerMsg::Delta(delta) => {
                    let applied = handle
                        .snapshot
                        .try_update_untracked(|s| s.as_mut().map(|s| s.apply(delta)))
                        .flatten();
                    match applied {
                        Some(Applied::Applied) => handle.snapshot.notify(),
                        Some(Applied::Stale) => {}
                        // A change this page missed: ask for the whole state, once.
                        Some(Applied::Gap) | None => {
                            if !self.resyncing.replace(true) {
                                self.transmit(&ClientMsg::Resync {
                                    id: new_action_id(),
                                });
                            }
                        }
                    }
                }
                ServerMsg::Ack { id } => {
                    let acked = self.outbox.borrow().iter().find(|m| m.id() == id).cloned();
                    self.outbox.borrow_mut().retain(|m| m.id() != id);
                    if let Some(ClientMsg::CheckIn { place, name, .. }) = acked
                        && let Ok(place_text) = PlaceText::parse(&place)
                    {
                        handle.my_check_in.set(Some(CheckIn {
                            place_text,
                            name: Some(name.trim().to_string()).filter(|n| !n.is_empty()),
                            place: None,
                            at: Utc::now(),
                            held: false,
                        }));
                    }
                }
                ServerMsg::Error {
                    code: code @ ErrorCode::Revoked,
                    message,
                    ..
                } => {
                    // The server closes the socket; reconnecting would only be refused.
                    self.stopped.set(true);
                    handle.state.set(LinkState::Closed);
                    handle.notice.set(Some(Notice::Server { code, message }));
                }
                ServerMsg::Error { id, code, message } => {
                    if let Some(id) = id {
                        let refused = self.outbox.borrow().iter().find(|m| m.id() == id).cloned();
                        self.outbox.borrow_mut().retain(|m| m.id() != id);
                        // A refused answer was not counted: the page must not show it as given.
                        match refused {
                            Some(ClientMsg::Answer { .. }) => handle.my_answer.set(None),
                            Some(ClientMsg::Words { .. }) => handle.my_words.set(None),
                            Some(ClientMsg::Lab { .. }) => handle.my_lab.set(None),
                            Some(ClientMsg::Ask { id, text, .. }) => {
                                handle.my_questions.update(|mine| mine.retain(|q| *q != id));
                                handle.returned_question.set(Some(text));
                            }
                            _ => {}
                        }
                    }
                    handle.notice.set(Some(Notice::Server { code, message }));
                }
                ServerMsg::Reconnect { .. } => {
                    if let Some(socket) = self.socket.borrow().as_ref() {
                        let _ = socket.close();
                    }
                }
            }
        }

        /// Schedules the next attempt: 0.5 s doubling to 30 s, each spread by ±50 %
        /// so a whole class does not come back in the same millisecond.
        fn retry_later(self: &Rc<Self>) {
            if self.stopped.get() {
                return;
            }
            let failures = self.failures.get();
            self.failures.set(failures.saturating_add(1));
            let base_ms = (500.0 * 2f64.powi(failures.min(6) as i32)).min(30_000.0);
            let delay_ms = base_ms * (0.5 + js_sys::Math::random());
            self.handle
                .state
                .set(LinkState::Retrying((delay_ms / 1000.0).ceil() as u32));
            let me = self.clone();
            let again = Closure::once_into_js(move || me.connect());
            if let Some(window) = web_sys::window() {
                let _ = window.set_timeout_with_callback_and_timeout_and_arguments_0(
                    again.unchecked_ref(),
                    delay_ms as i32,
                );
            }
        }
    }
}
