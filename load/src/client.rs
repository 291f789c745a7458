//! Clients of the live protocol: attendees and the presenter, each one WebSocket, each
//! recording what it saw and when. Messages are read with just the fields needed.

use futures_util::{SinkExt, StreamExt};
use serde::Deserialize;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;
use tokio::net::{TcpSocket, TcpStream};
use tokio::time::Instant;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use tokio_tungstenite::{WebSocketStream, client_async_with_config};

pub type Ws = WebSocketStream<TcpStream>;

/// A server message, as far as the load tool reads it.
#[derive(Debug)]
pub enum Seen {
    Welcome {
        pace: Option<String>,
    },
    Snapshot {
        seq: u64,
        pace: Pace,
        online: Online,
        poll: Option<Poll>,
    },
    /// What changed from state `from` to state `seq` (absent: unchanged).
    Delta {
        from: u64,
        seq: u64,
        pace: Option<Pace>,
        online: Option<Online>,
        poll: Option<Option<Poll>>,
    },
    Ack {
        id: String,
    },
    Error {
        message: String,
    },
    Reconnect {},
}

/// Every message the server sends, read flat: one pass, no buffering (an internally
/// tagged enum would buffer each message first, and the tool reads 100,000 a second).
#[derive(Debug, Deserialize)]
struct Wire {
    #[serde(rename = "type")]
    kind: String,
    #[serde(default)]
    seq: Option<u64>,
    #[serde(default)]
    from: Option<u64>,
    #[serde(default)]
    pace: Option<PaceField>,
    #[serde(default)]
    online: Option<Online>,
    /// Present (`Some`), even as `null` (`Some(None)`: a delta's poll went away).
    #[serde(default, deserialize_with = "present")]
    poll: Option<Option<Poll>>,
    #[serde(default)]
    id: Option<String>,
    #[serde(default)]
    message: Option<String>,
}

fn present<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Option<Poll>>, D::Error> {
    Option::<Poll>::deserialize(d).map(Some)
}

/// `pace` is the counts in a snapshot and the attendee's own vote in a welcome.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum PaceField {
    Counts(Pace),
    Vote(String),
}

impl PaceField {
    fn counts(self) -> Option<Pace> {
        match self {
            PaceField::Counts(pace) => Some(pace),
            PaceField::Vote(_) => None,
        }
    }
}

impl Wire {
    fn into_seen(self) -> Option<Seen> {
        Some(match self.kind.as_str() {
            "welcome" => Seen::Welcome {
                pace: match self.pace {
                    Some(PaceField::Vote(vote)) => Some(vote),
                    _ => None,
                },
            },
            "snapshot" => Seen::Snapshot {
                seq: self.seq?,
                pace: self.pace?.counts()?,
                online: self.online?,
                poll: self.poll.flatten(),
            },
            "delta" => Seen::Delta {
                from: self.from?,
                seq: self.seq?,
                pace: match self.pace {
                    Some(pace) => Some(pace.counts()?),
                    None => None,
                },
                online: self.online,
                poll: self.poll,
            },
            "ack" => Seen::Ack { id: self.id? },
            "error" => Seen::Error {
                message: self.message.unwrap_or_default(),
            },
            "reconnect" => Seen::Reconnect {},
            _ => return None,
        })
    }
}

#[derive(Debug, Deserialize, Clone, Copy)]
pub struct Pace {
    pub faster: u32,
}

#[derive(Debug, Deserialize, Clone, Copy)]
pub struct Online {
    pub attendees: u32,
}

/// The poll on screen: its answers per choice.
#[derive(Debug, Deserialize, Clone)]
pub struct Poll {
    pub counts: Vec<u32>,
}

impl Poll {
    fn answers(poll: &Option<Poll>) -> u32 {
        poll.as_ref().map_or(0, |p| p.counts.iter().sum())
    }
}

/// What a client's figures were at a moment.
#[derive(Debug, Clone, Copy)]
pub struct Tally {
    pub at: Instant,
    pub faster: u32,
    /// Answers to the poll on screen.
    pub answers: u32,
    pub attendees: u32,
}

/// The figures a page holds, kept as a page keeps its state: from a snapshot, then
/// each delta applied only onto the state it was made from.
#[derive(Debug, Clone, Copy, Default)]
pub struct View {
    pub seq: u64,
    pub faster: u32,
    pub answers: u32,
    pub attendees: u32,
}

/// What [`View::take`] made of a message.
pub enum Taken {
    /// Not a change of state (or an old one).
    Nothing,
    /// The figures now.
    Tally(Tally),
    /// A delta from a state this page never had: ask for the whole state.
    Gap,
}

impl View {
    pub fn take(&mut self, seen: &Seen) -> Taken {
        match seen {
            Seen::Snapshot {
                seq,
                pace,
                online,
                poll,
            } => {
                *self = View {
                    seq: *seq,
                    faster: pace.faster,
                    answers: Poll::answers(poll),
                    attendees: online.attendees,
                };
            }
            Seen::Delta {
                from,
                seq,
                pace,
                online,
                poll,
            } => {
                if *seq <= self.seq {
                    return Taken::Nothing;
                }
                if *from != self.seq {
                    return Taken::Gap;
                }
                self.seq = *seq;
                if let Some(pace) = pace {
                    self.faster = pace.faster;
                }
                if let Some(online) = online {
                    self.attendees = online.attendees;
                }
                if let Some(poll) = poll {
                    self.answers = Poll::answers(poll);
                }
            }
            _ => return Taken::Nothing,
        }
        Taken::Tally(self.tally())
    }

    pub fn tally(&self) -> Tally {
        Tally {
            at: Instant::now(),
            faster: self.faster,
            answers: self.answers,
            attendees: self.attendees,
        }
    }
}

/// What every client of this process has read: text messages' bytes, and of those the
/// changes of state (snapshots and deltas), counted and weighed.
pub static BYTES_IN: AtomicU64 = AtomicU64::new(0);
pub static STATE_MESSAGES_IN: AtomicU64 = AtomicU64::new(0);
pub static STATE_BYTES_IN: AtomicU64 = AtomicU64::new(0);

/// Opens a live socket from `source` (a loopback address and port; one address gives
/// about 28,000 ephemeral ports, so big runs pick their own) with an optional session
/// cookie. Gives the socket and the session
/// cookie the server set, if it set one.
pub async fn connect(
    server: SocketAddr,
    source: Option<SocketAddr>,
    path: &str,
    cookie: Option<&str>,
) -> anyhow::Result<(Ws, Option<String>)> {
    let socket = TcpSocket::new_v4()?;
    if let Some(source) = source {
        socket.set_reuseaddr(true)?;
        socket.bind(source)?;
    }
    let stream = socket.connect(server).await?;
    stream.set_nodelay(true)?;
    let mut request = format!("ws://{server}{path}").into_client_request()?;
    if let Some(cookie) = cookie {
        request.headers_mut().insert("cookie", cookie.parse()?);
    }
    // Small buffers: the tool may hold tens of thousands of these.
    let config = WebSocketConfig::default()
        .read_buffer_size(4096)
        .write_buffer_size(0);
    let (ws, response) = client_async_with_config(request, stream, Some(config)).await?;
    let cookie = response
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|v| {
            v.split(';')
                .next()
                .filter(|c| c.starts_with("lectern_attendee="))
        })
        .map(str::to_string);
    Ok((ws, cookie))
}

/// The next protocol message, skipping pings; `None` when the socket closed.
pub async fn next(ws: &mut Ws) -> Option<Seen> {
    loop {
        match ws.next().await? {
            Ok(Message::Text(text)) => {
                let bytes = text.len() as u64;
                BYTES_IN.fetch_add(bytes, Ordering::Relaxed);
                match serde_json::from_str::<Wire>(text.as_str()).map(Wire::into_seen) {
                    Ok(Some(seen)) => {
                        if matches!(seen, Seen::Snapshot { .. } | Seen::Delta { .. }) {
                            STATE_MESSAGES_IN.fetch_add(1, Ordering::Relaxed);
                            STATE_BYTES_IN.fetch_add(bytes, Ordering::Relaxed);
                        }
                        return Some(seen);
                    }
                    Ok(None) => eprintln!("unexpected server message: {text}"),
                    Err(e) => eprintln!("unreadable server message ({e}): {text}"),
                }
            }
            Ok(Message::Close(_)) | Err(_) => return None,
            Ok(_) => continue,
        }
    }
}

/// Reads until the first snapshot (after the welcome); gives the page's view from it.
pub async fn first_snapshot(ws: &mut Ws, patience: Duration) -> anyhow::Result<View> {
    let deadline = Instant::now() + patience;
    loop {
        let seen = tokio::time::timeout_at(deadline, next(ws))
            .await
            .map_err(|_| anyhow::anyhow!("no snapshot within {patience:?}"))?;
        match seen {
            Some(seen @ Seen::Snapshot { .. }) => {
                let mut view = View::default();
                view.take(&seen);
                return Ok(view);
            }
            Some(_) => continue,
            None => anyhow::bail!("the socket closed before the first snapshot"),
        }
    }
}

/// Asks for the whole state again (after a gap).
pub async fn resync(ws: &mut Ws) -> anyhow::Result<()> {
    let id = uuid::Uuid::new_v4();
    ws.send(Message::text(format!(r#"{{"type":"resync","id":"{id}"}}"#)))
        .await?;
    Ok(())
}

pub async fn send_vote(ws: &mut Ws, id: &str) -> anyhow::Result<()> {
    ws.send(Message::text(format!(
        r#"{{"type":"pace","id":"{id}","vote":"faster"}}"#
    )))
    .await?;
    Ok(())
}

/// An attendee's "yes" to poll `poll`.
pub async fn send_answer(ws: &mut Ws, id: &str, poll: &str) -> anyhow::Result<()> {
    ws.send(Message::text(format!(
        r#"{{"type":"answer","id":"{id}","poll":"{poll}","choice":0}}"#
    )))
    .await?;
    Ok(())
}

/// The presenter asks a yes/no poll whose id is `id`, and waits for the server's ack.
pub async fn ask_poll(ws: &mut Ws, id: &str, patience: Duration) -> anyhow::Result<()> {
    let ask = format!(
        r#"{{"type":"ask_poll","id":"{id}","question":"Have you managed to launch the Binder?"}}"#
    );
    act_and_wait(ws, ask, id, "the poll", patience).await
}

/// The presenter starts the event (it goes live), and waits for the server's ack.
pub async fn start_event(ws: &mut Ws, patience: Duration) -> anyhow::Result<()> {
    let id = uuid::Uuid::new_v4().to_string();
    let start = format!(r#"{{"type":"start","id":"{id}"}}"#);
    act_and_wait(ws, start, &id, "the start", patience).await
}

/// Sends a staff action whose id is `id` and waits for its ack.
async fn act_and_wait(
    ws: &mut Ws,
    action: String,
    id: &str,
    what: &str,
    patience: Duration,
) -> anyhow::Result<()> {
    ws.send(Message::text(action)).await?;
    let deadline = Instant::now() + patience;
    loop {
        match tokio::time::timeout_at(deadline, next(ws)).await {
            Err(_) => anyhow::bail!("{what} was not acknowledged within {patience:?}"),
            Ok(None) => anyhow::bail!("the socket closed before {what} was acknowledged"),
            Ok(Some(Seen::Ack { id: acked })) if acked == id => return Ok(()),
            Ok(Some(Seen::Error { message })) => anyhow::bail!("{what} was refused: {message}"),
            Ok(Some(_)) => continue,
        }
    }
}
