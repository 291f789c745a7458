//! The WebSocket transport: one socket per open page, joined to its event's room in the
//! hub. Thin on purpose: decode a frame, ask the hub, send the answer; forward the
//! room's snapshots as they come (the same bytes for everyone).

use crate::http::{AppState, HttpError, same_origin};
use app::core::access;
use app::core::hub::{Membership, Refusal};
use app::core::limits::{Limits, client_address};
use app::domain::event::Role;
use app::domain::limit::wait_text;
use app::domain::question::Moderation;
use app::error::AppError;
use app::live::{
    ActionId, ClientMsg, ErrorCode, MAX_CLIENT_MESSAGE_BYTES, ServerMsg, Viewer, decode_client,
};
use axum::extract::ws::{Message, Utf8Bytes, WebSocket, WebSocketUpgrade};
use axum::extract::{ConnectInfo, Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::watch;
use tower_sessions::Session;

/// Keeps idle connections alive through proxies that close silent ones (nginx: 60 s):
/// one timer for the whole server ticks a `watch` every connection follows, instead of
/// a timer per connection.
pub const KEEPALIVE: Duration = Duration::from_secs(25);
/// A small read buffer per socket: messages are tiny, and 100,000 idle sockets must fit.
const READ_BUFFER: usize = 512;
/// A page that takes longer than this to take one message is stuck: it is dropped, and
/// its client reconnects and starts again from a fresh snapshot.
const SEND_TIMEOUT: Duration = Duration::from_secs(10);

#[derive(Debug, Deserialize)]
pub struct LiveQuery {
    /// `presenter` or `moderator` for staff pages; absent for attendees.
    #[serde(rename = "as")]
    role: Option<String>,
}

/// `GET /e/{slug}/live`: upgrades to the live protocol after checking who is asking.
#[allow(clippy::too_many_arguments)] // one per extractor: what axum hands a handler
pub async fn live(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    Query(query): Query<LiveQuery>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    session: Session,
    upgrade: WebSocketUpgrade,
) -> Result<Response, HttpError> {
    if !same_origin(&headers) {
        return Ok((StatusCode::FORBIDDEN, "cross-site WebSocket refused").into_response());
    }
    let core = state.core.clone();
    let address = client_address(peer.ip(), &headers);
    if let Err(wait) = core.limits.connection(address) {
        return Ok(too_many(
            wait,
            &format!(
                "Too many connections from your address; try again {}.",
                wait_text(wait)
            ),
        ));
    }
    // While the event's room is open (a live tutorial), a reconnecting crowd does not
    // each ask the database for the event.
    let event = match core.hub.open_event(&slug) {
        Some(event) => event,
        None => std::sync::Arc::new(
            core.store
                .event_by_slug(&slug)
                .await?
                .ok_or_else(|| AppError::NotFound(format!("event /e/{slug}")))?,
        ),
    };
    let (viewer, attendee, link) = match query.role.as_deref() {
        None => (
            Viewer::Attendee,
            Some(Attendee {
                id: access::attendee_id(&session).await?,
                address,
                limits: core.limits.clone(),
            }),
            None,
        ),
        // The stage screen shows what the public page shows; it needs no link.
        Some("stage") => (Viewer::Stage, None, None),
        Some(raw) => {
            let role = Role::parse(raw)
                .ok_or_else(|| AppError::invalid("as", "must be presenter, moderator or stage"))?;
            let link = access::require_role(&core, &session, event.id, role).await?;
            (Viewer::of_role(role), None, Some(link))
        }
    };
    let shutdown = state.shutdown.clone();
    let keepalive = state.keepalive.clone();
    Ok(upgrade
        .read_buffer_size(READ_BUFFER)
        .write_buffer_size(0)
        .max_message_size(MAX_CLIENT_MESSAGE_BYTES)
        .max_frame_size(MAX_CLIENT_MESSAGE_BYTES)
        .on_upgrade(move |socket| async move {
            match Box::pin(core.hub.join(&event, viewer)).await {
                // Staff pages watch their link; the rest have no door to watch, and
                // carry nothing for it.
                Ok(membership) => match link {
                    Some(link) => {
                        staff_connection(socket, membership, link, &core, shutdown, keepalive).await
                    }
                    None => {
                        connection(socket, membership, attendee, NoDoor, shutdown, keepalive).await
                    }
                },
                Err(e) => {
                    tracing::warn!(error = %e, "could not open the event's room");
                    let mut socket = socket;
                    let reason = "the event is not available right now".into();
                    let _ = Box::pin(send(&mut socket, &ServerMsg::Reconnect { reason })).await;
                }
            }
        }))
}

async fn send(socket: &mut WebSocket, msg: &ServerMsg) -> Result<(), axum::Error> {
    send_text(socket, msg.to_json().into()).await
}

/// Sends one message, giving up on a page that does not take it within [`SEND_TIMEOUT`].
async fn send_text(socket: &mut WebSocket, text: Utf8Bytes) -> Result<(), axum::Error> {
    match tokio::time::timeout(SEND_TIMEOUT, socket.send(Message::Text(text))).await {
        Ok(sent) => {
            metrics::counter!("lectern_messages_out_total").increment(1);
            sent
        }
        Err(_) => {
            metrics::counter!("lectern_slow_clients_dropped_total").increment(1);
            Err(axum::Error::new("the page stopped reading"))
        }
    }
}

/// An attendee's page: who they are, and where their actions are counted for the limits.
struct Attendee {
    id: String,
    address: IpAddr,
    limits: Arc<Limits>,
}

/// A 429 that says when to come back.
fn too_many(wait: Duration, message: &str) -> Response {
    let retry_after = wait.as_secs().max(1).to_string();
    (
        StatusCode::TOO_MANY_REQUESTS,
        [(axum::http::header::RETRY_AFTER, retry_after)],
        message.to_string(),
    )
        .into_response()
}

/// What a page came in by, watched while it is open.
trait Door: Send {
    /// Resolves when a role link was revoked on this replica (never, for public pages).
    fn revoked_here(&mut self) -> impl Future<Output = ()> + Send;
    /// Whether the page may stay open.
    fn still_open(&self) -> impl Future<Output = bool> + Send;
}

/// Attendee and stage pages: the public address lets them in, nothing to revoke.
struct NoDoor;

impl Door for NoDoor {
    fn revoked_here(&mut self) -> impl Future<Output = ()> + Send {
        std::future::pending()
    }

    fn still_open(&self) -> impl Future<Output = bool> + Send {
        std::future::ready(true)
    }
}

/// A staff page's role link: when it is revoked or replaced the page is told and closed.
struct RoleLinkDoor {
    link: i64,
    core: app::core::Core,
    revocations: watch::Receiver<u64>,
}

impl Door for RoleLinkDoor {
    async fn revoked_here(&mut self) {
        if self.revocations.changed().await.is_err() {
            std::future::pending::<()>().await
        }
    }

    /// A failed check keeps the page: the next one decides.
    fn still_open(&self) -> impl Future<Output = bool> + Send {
        let (store, link) = (self.core.store.clone(), self.link);
        async move { store.role_link_is_active(link).await.unwrap_or(true) }
    }
}

/// A staff page's connection, watching its role link, boxed: the upgrade's future holds
/// either kind of connection, and is as large as the larger; staff pages are few, and
/// the thousands of attendee connections should not carry a staff one's size.
fn staff_connection(
    socket: WebSocket,
    membership: Membership,
    link: i64,
    core: &app::core::Core,
    shutdown: watch::Receiver<bool>,
    keepalive: watch::Receiver<u64>,
) -> std::pin::Pin<Box<dyn Future<Output = ()> + Send>> {
    let door = RoleLinkDoor {
        link,
        core: core.clone(),
        revocations: core.revocations.subscribe(),
    };
    Box::pin(connection(
        socket, membership, None, door, shutdown, keepalive,
    ))
}

async fn connection(
    mut socket: WebSocket,
    membership: Membership,
    attendee: Option<Attendee>,
    mut door: impl Door,
    mut shutdown: watch::Receiver<bool>,
    mut keepalive: watch::Receiver<u64>,
) {
    let mut snapshots = membership.snapshots();
    // The connection's task (one per open page, 100,000 of them idle) keeps only small
    // futures between messages: greeting, sends and actions are boxed while they run.
    if Box::pin(greet(
        &mut socket,
        &membership,
        attendee.as_ref().map(|a| a.id.as_str()),
    ))
    .await
    .is_err()
    {
        return;
    }
    loop {
        let next = tokio::select! {
            changed = snapshots.changed() => match changed {
                Ok(()) => Next::Snapshot,
                Err(_) => Next::Stop,
            },
            frame = socket.recv() => Next::Frame(frame),
            _ = keepalive.changed() => Next::Ping,
            _ = shutdown.changed() => Next::Shutdown,
            _ = door.revoked_here() => Next::CheckDoor,
        };
        // Staff pages check their link on every keepalive too: a revocation made on
        // another replica reaches them within one.
        if matches!(next, Next::CheckDoor | Next::Ping) && !door.still_open().await {
            Box::pin(close_revoked(&mut socket)).await;
            break;
        }
        let sent = match next {
            Next::Snapshot => {
                let latest = snapshots.borrow_and_update().clone();
                Box::pin(send_text(&mut socket, latest)).await
            }
            Next::Frame(frame) => match frame {
                Some(Ok(message @ (Message::Text(_) | Message::Binary(_)))) => {
                    Box::pin(reply(&mut socket, &membership, attendee.as_ref(), message)).await
                }
                Some(Ok(Message::Ping(_) | Message::Pong(_))) => continue,
                Some(Ok(Message::Close(_)) | Err(_)) | None => break,
            },
            Next::Ping => Box::pin(socket.send(Message::Ping(Default::default()))).await,
            Next::Shutdown => {
                let reason = "the server is restarting".into();
                let _ = Box::pin(send(&mut socket, &ServerMsg::Reconnect { reason })).await;
                let _ = Box::pin(socket.send(Message::Close(None))).await;
                break;
            }
            Next::Stop => break,
            Next::CheckDoor => continue,
        };
        if sent.is_err() {
            break;
        }
    }
}

/// Tells a page its role link stopped working, and closes it. Boxed by the caller: a
/// message held across an `.await` in the connection loop would sit in every
/// connection's future (a `ServerMsg` is large), for a branch attendees never take —
/// measured at +0.7 KiB per idle connection.
async fn close_revoked(socket: &mut WebSocket) {
    let refusal = ServerMsg::Error {
        id: None,
        code: ErrorCode::Revoked,
        message: "The organizer revoked or replaced the link this page was opened with. Ask them for the new one.".into(),
    };
    let _ = send(socket, &refusal).await;
    let _ = socket.send(Message::Close(None)).await;
}

/// The first two messages of every connection: the welcome (who you are, your own vote
/// and check-in), then the room as it is this instant.
async fn greet(
    socket: &mut WebSocket,
    membership: &Membership,
    attendee: Option<&str>,
) -> Result<(), axum::Error> {
    let pace = attendee.and_then(|a| membership.pace_of(a));
    let (my_questions, my_upvotes) = attendee
        .map(|a| membership.questions_of(a))
        .unwrap_or_default();
    let welcome = ServerMsg::Welcome {
        viewer: membership.viewer(),
        pace: pace.map(|(vote, _)| vote),
        pace_at: pace.map(|(_, at)| at),
        check_in: attendee.and_then(|a| membership.check_in_of(a)),
        poll_answer: attendee.and_then(|a| membership.poll_answer_of(a)),
        lab: attendee.and_then(|a| membership.lab_of(a)),
        my_questions,
        my_upvotes,
    };
    send(socket, &welcome).await?;
    send_text(socket, membership.snapshot_now()).await
}

/// Answers one frame from the page: carries out its action, or refuses it.
async fn reply(
    socket: &mut WebSocket,
    membership: &Membership,
    attendee: Option<&Attendee>,
    message: Message,
) -> Result<(), axum::Error> {
    metrics::counter!("lectern_messages_in_total").increment(1);
    let answer = match message {
        Message::Text(text) => act(membership, attendee, text.as_str()).await,
        _ => ServerMsg::Error {
            id: None,
            code: ErrorCode::Malformed,
            message: "binary frames are not part of the Lectern protocol; send JSON text".into(),
        },
    };
    send(socket, &answer).await
}

/// What woke a connection's loop.
enum Next {
    Snapshot,
    Frame(Option<Result<Message, axum::Error>>),
    Ping,
    Shutdown,
    Stop,
    /// A role link was revoked on this replica: is it this page's?
    CheckDoor,
}

/// Carries out one client message and says how it went.
async fn act(membership: &Membership, attendee: Option<&Attendee>, frame: &str) -> ServerMsg {
    let msg = match decode_client(frame) {
        Ok(msg) => msg,
        Err(refusal) => return refusal.into(),
    };
    let id = msg.id();
    if let Some(a) = attendee
        && let Err(wait) = a.limits.action(a.address, &a.id)
    {
        let message = format!(
            "Too many actions at once; not applied. Try again {}.",
            wait_text(wait)
        );
        return refuse(id, ErrorCode::TooFast, &message);
    }
    let attendee = attendee.map(|a| a.id.as_str());
    match msg {
        ClientMsg::Pace { vote, .. } => {
            let Some(attendee) = attendee else {
                return refuse(id, ErrorCode::Forbidden, "only attendees vote on the pace");
            };
            match membership.cast_pace(attendee, vote).await {
                Ok(()) => ServerMsg::Ack { id },
                Err(e) => {
                    tracing::warn!(error = %e, "pace vote not stored");
                    refuse(
                        id,
                        ErrorCode::Unavailable,
                        "your vote could not be saved; please try again",
                    )
                }
            }
        }
        ClientMsg::Start { .. } | ClientMsg::End { .. }
            if membership.viewer() != Viewer::Presenter =>
        {
            refuse(
                id,
                ErrorCode::Forbidden,
                "only the presenter starts and ends the tutorial",
            )
        }
        ClientMsg::Start { .. } => answer(id, membership.start().await),
        ClientMsg::End { .. } => answer(id, membership.end().await),
        ClientMsg::CheckIn { place, name, .. } => match attendee {
            Some(attendee) => answer(id, membership.check_in(attendee, &place, &name).await),
            None => refuse(id, ErrorCode::Forbidden, "only attendees check in"),
        },
        ClientMsg::MarkPlacesRead { .. }
            if matches!(membership.viewer(), Viewer::Attendee | Viewer::Stage) =>
        {
            refuse(
                id,
                ErrorCode::Forbidden,
                "only the presenter and co-instructors mark places read",
            )
        }
        ClientMsg::MarkPlacesRead { .. } => answer(id, membership.mark_places_read().await),
        ClientMsg::Agenda { from, command, .. } => match membership.viewer() {
            Viewer::Presenter => answer(id, membership.drive_agenda(from, command).await),
            _ => refuse(
                id,
                ErrorCode::Forbidden,
                "only the presenter runs the agenda",
            ),
        },
        ClientMsg::AskPoll { .. } | ClientMsg::ClosePoll { .. } | ClientMsg::ReopenPoll { .. }
            if matches!(membership.viewer(), Viewer::Attendee | Viewer::Stage) =>
        {
            refuse(
                id,
                ErrorCode::Forbidden,
                "only the presenter and co-instructors run polls",
            )
        }
        ClientMsg::AskPoll {
            question, options, ..
        } => answer(id, membership.ask_poll(id, &question, &options).await),
        ClientMsg::ClosePoll { poll, .. } => {
            answer(id, membership.set_poll_open(poll, false).await)
        }
        ClientMsg::ReopenPoll { poll, .. } => {
            answer(id, membership.set_poll_open(poll, true).await)
        }
        ClientMsg::Answer { poll, choice, .. } => match attendee {
            Some(attendee) => answer(id, membership.answer_poll(attendee, poll, choice).await),
            None => refuse(id, ErrorCode::Forbidden, "only attendees answer polls"),
        },
        ClientMsg::Lab { signal, note, .. } => match attendee {
            Some(attendee) => answer(id, membership.signal_lab(attendee, signal, &note).await),
            None => refuse(id, ErrorCode::Forbidden, "only attendees say done or stuck"),
        },
        ClientMsg::Ask { text, name, .. } => match attendee {
            Some(attendee) => answer(
                id,
                membership.ask_question(attendee, id, &text, &name).await,
            ),
            None => refuse(id, ErrorCode::Forbidden, "only attendees ask questions"),
        },
        ClientMsg::Upvote { question, up, .. } => match attendee {
            Some(attendee) => answer(id, membership.upvote(attendee, question, up).await),
            None => refuse(id, ErrorCode::Forbidden, "only attendees upvote questions"),
        },
        ClientMsg::Moderate {
            question,
            from,
            action,
            ..
        } => {
            let allowed = match membership.viewer() {
                Viewer::Moderator => true,
                Viewer::Presenter => action == Moderation::Take,
                Viewer::Attendee | Viewer::Stage => false,
            };
            if allowed {
                answer(id, membership.moderate(question, from, &action).await)
            } else {
                refuse(
                    id,
                    ErrorCode::Forbidden,
                    "only co-instructors moderate questions (the presenter takes bubbled-up ones)",
                )
            }
        }
    }
}

fn refuse(id: ActionId, code: ErrorCode, message: &str) -> ServerMsg {
    ServerMsg::Error {
        id: Some(id),
        code,
        message: message.into(),
    }
}

/// The answer to an action the hub carried out or refused.
fn answer(id: ActionId, result: Result<(), Refusal>) -> ServerMsg {
    match result {
        Ok(()) => ServerMsg::Ack { id },
        Err(Refusal::Invalid(why)) => refuse(id, ErrorCode::Invalid, &why),
        Err(Refusal::Refused(why)) => refuse(id, ErrorCode::Refused, &why),
        Err(Refusal::Failed(e)) => {
            tracing::warn!(error = %e, "action not stored");
            refuse(
                id,
                ErrorCode::Unavailable,
                "the change could not be saved; please try again",
            )
        }
    }
}
