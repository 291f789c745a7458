//! The WebSocket transport: one socket per open page, joined to its event's room in the
//! hub. Thin on purpose: decode a frame, ask the hub, send the answer; forward the
//! room's frames as they come, each page the message that fits the state it holds (the
//! same bytes for every page holding that state).

use crate::origin::same_origin;
use crate::state::{AppState, HttpError};
use app::core::hub::{Attendee, Membership};
use app::core::limits::client_address;
use app::core::store::EventRecord;
use app::core::{Core, access};
use app::domain::event::Role;
use app::domain::limit::wait_text;
use app::error::AppError;
use app::live::{ClientMsg, ErrorCode, MAX_CLIENT_MESSAGE_BYTES, ServerMsg, Viewer, decode_client};
use axum::extract::ws::{Message, Utf8Bytes, WebSocket, WebSocketUpgrade};
use axum::extract::{ConnectInfo, Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
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
    if !same_origin(&headers, peer.ip(), state.core.public_url.as_deref()) {
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
        None => std::sync::Arc::new(core.event(&slug).await?),
    };
    // A socket without the page's cookie (a tool, say) is a new attendee, named on the
    // handshake's answer.
    let mut new_cookie = None;
    let (viewer, attendee, link) = match query.role.as_deref() {
        None => {
            let (id, cookie) = core.attendees.read_or_issue(&headers);
            new_cookie = cookie;
            (Viewer::Attendee, Some(Attendee { id, address }), None)
        }
        // The stage screen shows what the public page shows; it needs no link.
        Some("stage") => (Viewer::Stage, None, None),
        Some(raw) => {
            let role = Role::parse(raw)
                .ok_or_else(|| AppError::invalid("as", "must be presenter, moderator or stage"))?;
            let link = access::require_role(&core, &session, event.id, role).await?;
            (Viewer::of_role(role), None, Some(link))
        }
    };
    let arrival = Box::new(Arrival {
        core,
        event,
        viewer,
        attendee,
        link,
    });
    let mut response = upgrade
        .read_buffer_size(READ_BUFFER)
        .write_buffer_size(0)
        .max_message_size(MAX_CLIENT_MESSAGE_BYTES)
        .max_frame_size(MAX_CLIENT_MESSAGE_BYTES)
        .on_upgrade(move |socket| {
            connection(Box::new(Page {
                socket,
                arrival: *arrival,
            }))
        });
    if let Some(cookie) = new_cookie {
        response
            .headers_mut()
            .append(axum::http::header::SET_COOKIE, cookie);
    }
    Ok(response)
}

/// Tells a page it may not join (its browser has too many open) before it is closed.
async fn refuse_page(socket: &mut WebSocket, message: String) {
    let refused = ServerMsg::Error {
        id: None,
        code: ErrorCode::TooMany,
        message,
    };
    let _ = send(socket, &refused).await;
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

/// Who is opening a live socket, as checked before the upgrade.
struct Arrival {
    core: Core,
    event: Arc<EventRecord>,
    viewer: Viewer,
    /// Attendee pages: who they are, for their own votes and the limits.
    attendee: Option<Attendee>,
    /// Staff pages: the role link they came in by, checked when one is revoked here and
    /// at every keepalive (a revocation made on another replica).
    link: Option<i64>,
}

/// Everything an open page's connection holds, in one allocation, so that its task's
/// future holds a pointer: an async function keeps its arguments twice in its future,
/// and every future around it keeps them again (tens of thousands of idle connections
/// pay for each copy of the socket).
struct Page {
    socket: WebSocket,
    arrival: Arrival,
}

/// One open page, from joining its event's room to closing. The connection's task (one
/// per open page, 100,000 of them idle) keeps only small futures between messages:
/// joining, greeting, sends and actions are boxed while they run, and rare branches are
/// functions of their own (a value held across an `.await` here is in every connection).
async fn connection(mut page: Box<Page>) {
    let Page {
        socket,
        arrival:
            Arrival {
                core,
                event,
                viewer,
                attendee,
                link,
            },
    } = &mut *page;
    let joining = core.hub.join(event, *viewer, attendee.take());
    let membership = match Box::pin(joining).await {
        Ok(membership) => membership,
        Err(AppError::TooMany(message)) => {
            Box::pin(refuse_page(socket, message)).await;
            return;
        }
        Err(e) => {
            tracing::warn!(error = %e, "could not open the event's room");
            let reason = "the event is not available right now".into();
            let _ = Box::pin(send(socket, &ServerMsg::Reconnect { reason })).await;
            return;
        }
    };
    let mut snapshots = membership.snapshots();
    let mut signals = core.signals.subscribe();
    let mut seen = *signals.borrow_and_update();
    if seen.stopping {
        signals.mark_changed();
    }
    // The number of the state this page holds: what the room's frames are sent against.
    let Ok(mut held) = Box::pin(greet(socket, &membership)).await else {
        return;
    };
    loop {
        let next = tokio::select! {
            changed = snapshots.changed() => match changed {
                Ok(()) => Next::Snapshot,
                Err(_) => Next::Stop,
            },
            frame = socket.recv() => Next::Frame(frame),
            changed = signals.changed() => match changed {
                Ok(()) => Next::Signal,
                Err(_) => Next::Stop,
            },
        };
        let sent = match next {
            Next::Snapshot => {
                let message = {
                    let frame = snapshots.borrow_and_update().clone();
                    let message = frame.for_page(held);
                    held = held.max(frame.seq());
                    message
                };
                match message {
                    Some(message) => Box::pin(send_text(socket, message)).await,
                    None => continue,
                }
            }
            Next::Frame(frame) => match frame {
                Some(Ok(message @ (Message::Text(_) | Message::Binary(_)))) => {
                    Box::pin(reply(socket, &membership, message, &mut held)).await
                }
                Some(Ok(Message::Ping(_) | Message::Pong(_))) => continue,
                Some(Ok(Message::Close(_)) | Err(_)) | None => break,
            },
            Next::Signal => {
                let now = *signals.borrow_and_update();
                let was = std::mem::replace(&mut seen, now);
                if now.stopping {
                    Box::pin(say_goodbye(socket)).await;
                    break;
                }
                // Staff pages check their link when one is revoked here, and at every
                // keepalive for a revocation made on another replica.
                if let Some(link) = *link
                    && !Box::pin(link_is_active(core, link)).await
                {
                    Box::pin(close_revoked(socket)).await;
                    break;
                }
                if now.keepalive == was.keepalive {
                    continue;
                }
                Box::pin(socket.send(Message::Ping(Default::default()))).await
            }
            Next::Stop => break,
        };
        if sent.is_err() {
            break;
        }
    }
}

/// Whether a staff page's role link still works; a failed check keeps the page (the
/// next one decides).
async fn link_is_active(core: &Core, link: i64) -> bool {
    core.store.role_link_is_active(link).await.unwrap_or(true)
}

/// Tells a page the server is stopping (its client reconnects, behind a load balancer
/// to another replica), and closes it.
async fn say_goodbye(socket: &mut WebSocket) {
    let reason = "the server is restarting".into();
    let _ = send(socket, &ServerMsg::Reconnect { reason }).await;
    let _ = socket.send(Message::Close(None)).await;
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
/// and check-in), then the room as it is this instant. Gives the state's number.
async fn greet(socket: &mut WebSocket, membership: &Membership) -> Result<u64, axum::Error> {
    send(socket, &membership.welcome()).await?;
    let (seq, snapshot) = membership.snapshot_now();
    send_text(socket, snapshot).await?;
    Ok(seq)
}

/// Answers one frame from the page: decodes it and has the hub carry it out (or say
/// why not). A page that asks to resync (it missed a change) gets the whole state
/// before the ack, and `held` becomes its number.
async fn reply(
    socket: &mut WebSocket,
    membership: &Membership,
    message: Message,
    held: &mut u64,
) -> Result<(), axum::Error> {
    metrics::counter!("lectern_messages_in_total").increment(1);
    let answer = match message {
        Message::Text(text) => match decode_client(text.as_str()) {
            Ok(msg) => {
                let id = msg.id();
                let resync = matches!(msg, ClientMsg::Resync { .. });
                match membership.act(msg).await {
                    Ok(()) if resync => {
                        let (seq, snapshot) = membership.snapshot_now();
                        send_text(socket, snapshot).await?;
                        *held = seq;
                        ServerMsg::Ack { id }
                    }
                    Ok(()) => ServerMsg::Ack { id },
                    Err(refusal) => refusal.to_message(id),
                }
            }
            Err(refusal) => refusal.into(),
        },
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
    /// A keepalive, a revocation, or the server stopping.
    Signal,
    Stop,
}
