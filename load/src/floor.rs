//! `floor`: what this machine charges for one small message over loopback TCP with
//! nothing of Lectern's in the way: no server, no runtime on the sending side, no
//! WebSocket library. A plain thread walks thousands of sockets writing one ready-made
//! WebSocket text frame to each (one `write` a message, as Lectern's server makes one
//! `sendto` a message), paced like Lectern's broadcast, while this tool's runtime reads
//! them all as its clients do in `burst`. The sender's CPU per message is the floor
//! under "server CPU per message sent" on this machine at that moment; the readers' is
//! the load tool's share; together they bound how many messages a second the two can
//! deliver on shared cores, and so how long a round over 10,000 pages must take.
//!
//! Loopback TCP charges the sender for most of the receiver's work too (the receiving
//! socket's processing runs in the sender's system call), so the sender's figure is
//! most of the cost of a message, whoever sends it.
//!
//! `--via tasks` sends the same frames the way Lectern's server does, without the rest of
//! Lectern: a runtime of two worker threads (Lectern's on this machine), a task per socket with tokio-tungstenite on
//! it waiting on one of 256 `watch` slots or its socket, and a broadcaster filling the
//! slots one after another at the pace asked. Its CPU per message over the plain
//! thread's is what that structure costs; Lectern's over it is what Lectern does besides.

use crate::Outcome;
use futures_util::{SinkExt, StreamExt};
use serde_json::json;
use std::io::Write;
use std::net::TcpStream;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};
use tokio::io::AsyncReadExt;
use tokio::sync::watch;
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::protocol::{Role, WebSocketConfig};
use tokio_tungstenite::tungstenite::{Message, Utf8Bytes};

/// How many messages the sender writes between two looks at the clock (about a slot of
/// Lectern's broadcast at 10,000 pages).
const CHUNK: usize = 40;
/// `--via tasks`: how many slots the sockets are spread over (Lectern's `PUBLIC_SHARDS`).
const SLOTS: usize = 256;
/// The name of every sending thread, whose CPU time is the sender's.
const SENDER_THREAD: &str = "floor-send";

/// How the frames are sent.
#[derive(Clone, Copy, Debug, clap::ValueEnum)]
pub enum Via {
    /// Plain threads writing to blocking sockets.
    Thread,
    /// A task per socket on a two-thread tokio runtime, over tokio-tungstenite, woken
    /// through `watch` slots, as Lectern's server sends.
    Tasks,
}

/// Opens `connections` loopback connections, then sends `rate` messages a second of
/// `bytes` bytes each (the WebSocket frame, header included) for `secs` seconds from
/// `threads` sending threads: plain threads each walking its share of the sockets round
/// after round, or the workers of the runtime the sockets' tasks run on.
pub async fn floor(
    connections: usize,
    rate: u32,
    bytes: usize,
    secs: f64,
    threads: usize,
    via: Via,
) -> anyhow::Result<Outcome> {
    let threads = threads.clamp(1, connections.max(1));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let received = Arc::new(AtomicU64::new(0));
    println!("opening {connections} loopback connections…");
    let mut senders = Vec::with_capacity(connections);
    let mut readers = Vec::with_capacity(connections);
    for _ in 0..connections {
        let (client, accepted) =
            tokio::join!(tokio::net::TcpStream::connect(addr), listener.accept());
        let (client, (accepted, _)) = (client?, accepted?);
        client.set_nodelay(true)?;
        accepted.set_nodelay(true)?;
        let accepted = accepted.into_std()?;
        accepted.set_nonblocking(false)?;
        senders.push(accepted);
        readers.push(tokio::spawn(read_all(client, received.clone())));
    }
    let frame = text_frame(bytes);
    let rate = f64::from(rate.max(1));
    let run_for = Duration::from_secs_f64(secs);
    let tool_before = crate::server::cpu_time_of("self").unwrap_or_default();
    let started = Instant::now();
    println!("sending {rate} messages a second of {bytes} bytes for {secs} s via {via:?}…");
    let (sent, sender_cpu) = match via {
        Via::Thread => by_threads(senders, threads, &frame, rate, run_for).await?,
        Via::Tasks => {
            tokio::task::spawn_blocking({
                let frame = frame.clone();
                move || by_tasks(senders, threads, &frame, rate, run_for)
            })
            .await??
        }
    };
    let wall = started.elapsed();
    let expected = sent * frame.len() as u64;
    let all_read = crate::wait_for(crate::PATIENCE, || {
        received.load(Ordering::Relaxed) >= expected
    })
    .await;
    let tool_cpu = crate::server::cpu_time_of("self")
        .unwrap_or_default()
        .saturating_sub(tool_before);
    let reader_cpu = tool_cpu.saturating_sub(sender_cpu);
    for reader in readers {
        reader.abort();
    }
    let per_message = |cpu: Duration| cpu.as_secs_f64() * 1e6 / sent.max(1) as f64;
    let sender_us = per_message(sender_cpu);
    let reader_us = per_message(reader_cpu);
    // Two cores shared by the sender and the readers deliver at most this many a second.
    let two_cores = 2e6 / (sender_us + reader_us).max(f64::EPSILON);
    let round_ms = 10_000.0 / two_cores * 1e3;
    println!(
        "  sent {sent} messages in {:.2} s ({:.0} a second); read back: {}",
        wall.as_secs_f64(),
        sent as f64 / wall.as_secs_f64(),
        if all_read { "all" } else { "NOT all" }
    );
    println!(
        "  sender CPU per message:  {sender_us:.1} µs ({:.2} s)",
        sender_cpu.as_secs_f64()
    );
    println!(
        "  readers' CPU per message: {reader_us:.1} µs ({:.2} s, the tool's runtime)",
        reader_cpu.as_secs_f64()
    );
    println!(
        "  two cores shared by both: at most {two_cores:.0} messages a second, a round of 10,000 in {round_ms:.0} ms"
    );
    let mut failures = Vec::new();
    if !all_read {
        failures.push(format!(
            "read {} of {expected} bytes",
            received.load(Ordering::Relaxed)
        ));
    }
    Ok(Outcome {
        figures: json!({
            "mode": "floor",
            "connections": connections,
            "via": format!("{via:?}").to_lowercase(),
            "threads": threads,
            "message_bytes": frame.len(),
            "asked_per_second": rate,
            "messages_sent": sent,
            "seconds": wall.as_secs_f64(),
            "messages_per_second": sent as f64 / wall.as_secs_f64(),
            "sender_cpu_us_per_message": sender_us,
            "reader_cpu_us_per_message": reader_us,
            "two_cores_messages_per_second": two_cores,
            "round_of_10000_ms": round_ms,
            "all_read": all_read,
        }),
        failures,
    })
}

/// Sends from `threads` plain threads, each walking its share of the sockets. Gives the
/// messages sent and the threads' CPU time.
async fn by_threads(
    mut sockets: Vec<TcpStream>,
    threads: usize,
    frame: &[u8],
    rate: f64,
    run_for: Duration,
) -> anyhow::Result<(u64, Duration)> {
    let per_thread = sockets.len().div_ceil(threads);
    let mut walkers = Vec::with_capacity(threads);
    while !sockets.is_empty() {
        let share: Vec<TcpStream> = sockets.drain(..per_thread.min(sockets.len())).collect();
        let frame = frame.to_vec();
        let rate = rate / threads as f64;
        walkers.push(
            std::thread::Builder::new()
                .name(SENDER_THREAD.into())
                .spawn(move || walk(share, &frame, rate, run_for))?,
        );
    }
    tokio::task::spawn_blocking(move || {
        let (mut sent, mut cpu) = (0, Duration::ZERO);
        for walker in walkers {
            let (messages, time) = walker
                .join()
                .map_err(|_| anyhow::anyhow!("a sending thread panicked"))??;
            sent += messages;
            cpu += time;
        }
        Ok((sent, cpu))
    })
    .await?
}

/// Sends as Lectern's server does (see the module's documentation), on a runtime of its
/// own with `workers` threads; blocks until the run is over. Gives the messages sent and
/// the runtime's CPU time.
fn by_tasks(
    sockets: Vec<TcpStream>,
    workers: usize,
    frame: &[u8],
    rate: f64,
    run_for: Duration,
) -> anyhow::Result<(u64, Duration)> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(workers)
        .thread_name(SENDER_THREAD)
        .enable_all()
        .build()?;
    // The frame's payload, as the text message tungstenite frames again.
    let text = Utf8Bytes::try_from(payload(frame).to_vec())?;
    let sent = Arc::new(AtomicU64::new(0));
    let ready = Arc::new(AtomicU64::new(0));
    let (slots, receivers): (Vec<_>, Vec<_>) = (0..SLOTS).map(|_| watch::channel(0u64)).unzip();
    let mut pages = Vec::with_capacity(sockets.len());
    for (i, socket) in sockets.into_iter().enumerate() {
        socket.set_nonblocking(true)?;
        let slot = receivers[i % SLOTS].clone();
        let (text, sent, ready) = (text.clone(), sent.clone(), ready.clone());
        pages.push(runtime.spawn(async move {
            let socket = tokio::net::TcpStream::from_std(socket)?;
            page(socket, slot, text, sent, ready).await;
            anyhow::Ok(())
        }));
    }
    drop(receivers);
    // Every page has its WebSocket before the clock starts.
    let count = pages.len() as u64;
    let all_ready = runtime.block_on(crate::wait_for(crate::PATIENCE, || {
        ready.load(Ordering::Relaxed) == count
    }));
    anyhow::ensure!(
        all_ready,
        "{} of {count} sockets got their WebSocket",
        ready.load(Ordering::Relaxed)
    );
    let cpu_before = threads_cpu(SENDER_THREAD)?;
    // On a worker thread, as Lectern's broadcaster is: a wake from outside the runtime
    // costs more.
    runtime.block_on(runtime.spawn(fan_out(slots, rate, run_for)))?;
    let cpu = threads_cpu(SENDER_THREAD)?.saturating_sub(cpu_before);
    runtime.block_on(async {
        for page in pages {
            page.await??;
        }
        anyhow::Ok(())
    })?;
    Ok((sent.load(Ordering::Relaxed), cpu))
}

/// One socket's task: sends the frame each time its slot changes; ends when the slot's
/// sender is gone or the socket closes. Counts itself `ready` once it has its WebSocket.
async fn page(
    socket: tokio::net::TcpStream,
    mut slot: watch::Receiver<u64>,
    text: Utf8Bytes,
    sent: Arc<AtomicU64>,
    ready: Arc<AtomicU64>,
) {
    // Lectern's settings (`server/src/ws.rs`).
    let config = WebSocketConfig::default()
        .read_buffer_size(512)
        .write_buffer_size(0);
    let mut socket = WebSocketStream::from_raw_socket(socket, Role::Server, Some(config)).await;
    ready.fetch_add(1, Ordering::Relaxed);
    loop {
        tokio::select! {
            changed = slot.changed() => {
                if changed.is_err() {
                    break;
                }
                slot.borrow_and_update();
                if socket.send(Message::Text(text.clone())).await.is_err() {
                    break;
                }
                sent.fetch_add(1, Ordering::Relaxed);
            }
            frame = socket.next() => if frame.is_none() {
                break;
            },
        }
    }
}

/// Fills the slots one after another, round after round, each slot's pages' sends
/// waiting their turn at `rate` a second (as Lectern's `Pacer` spaces them), for
/// `run_for`; then drops them, which ends the pages.
async fn fan_out(slots: Vec<watch::Sender<u64>>, rate: f64, run_for: Duration) {
    let start = tokio::time::Instant::now();
    let mut handed = 0usize;
    let mut round = 0u64;
    'run: loop {
        round += 1;
        for slot in &slots {
            let due = start + Duration::from_secs_f64(handed as f64 / rate);
            if tokio::time::Instant::now() >= start + run_for {
                break 'run;
            }
            tokio::time::sleep_until(due).await;
            handed += slot.receiver_count();
            slot.send_replace(round);
            tokio::task::yield_now().await;
        }
    }
}

/// The CPU time of this process's threads named `name`, to the nanosecond.
fn threads_cpu(name: &str) -> anyhow::Result<Duration> {
    let mut total = Duration::ZERO;
    for task in std::fs::read_dir("/proc/self/task")? {
        let dir = task?.path();
        // A thread that ended meanwhile has no files left to read: it is skipped.
        let comm = std::fs::read_to_string(dir.join("comm")).unwrap_or_default();
        if comm.trim_end() == name
            && let Ok(schedstat) = std::fs::read_to_string(dir.join("schedstat"))
        {
            total += schedstat_cpu(&schedstat)?;
        }
    }
    Ok(total)
}

/// The first figure of a `schedstat` file: time on a CPU, in nanoseconds.
fn schedstat_cpu(schedstat: &str) -> anyhow::Result<Duration> {
    let ns: u64 = schedstat
        .split_whitespace()
        .next()
        .ok_or_else(|| anyhow::anyhow!("an empty schedstat"))?
        .parse()?;
    Ok(Duration::from_nanos(ns))
}

/// One sending thread: walks `sockets` round after round writing `frame` to each, at
/// `rate` a second, for `run_for`. Gives the messages written and the thread's CPU time.
fn walk(
    mut sockets: Vec<TcpStream>,
    frame: &[u8],
    rate: f64,
    run_for: Duration,
) -> anyhow::Result<(u64, Duration)> {
    let cpu_before = thread_cpu()?;
    let start = Instant::now();
    let mut sent = 0u64;
    'run: loop {
        for chunk in sockets.chunks_mut(CHUNK) {
            let due = start + Duration::from_secs_f64(sent as f64 / rate);
            let now = Instant::now();
            if now >= start + run_for {
                break 'run;
            }
            if due > now {
                std::thread::sleep(due - now);
            }
            for socket in chunk {
                socket.write_all(frame)?;
                sent += 1;
            }
        }
    }
    // The sockets close when this thread ends; the readers see the end of each stream.
    Ok((sent, thread_cpu()?.saturating_sub(cpu_before)))
}

/// The calling thread's time on a CPU, user and system (the kernel's network work done
/// in its system calls included), to the nanosecond.
fn thread_cpu() -> anyhow::Result<Duration> {
    schedstat_cpu(&std::fs::read_to_string("/proc/thread-self/schedstat")?)
}

/// A server-to-client WebSocket text frame of `bytes` bytes in all, header included
/// (from 4 to 65,539; 128 and 129 cannot be framed and become 130), its payload padded
/// text.
fn text_frame(bytes: usize) -> Vec<u8> {
    let bytes = bytes.clamp(4, 65_539);
    let payload_len = if bytes <= 127 {
        bytes - 2
    } else {
        (bytes - 4).max(126)
    };
    let mut frame = vec![0x81];
    if payload_len < 126 {
        frame.push(payload_len as u8);
    } else {
        frame.push(126);
        frame.extend_from_slice(&(payload_len as u16).to_be_bytes());
    }
    let mut payload = String::from("{\"t\":\"delta\",\"pad\":\"");
    while payload.len() + 2 < payload_len {
        payload.push('x');
    }
    payload.push_str("\"}");
    payload.truncate(payload_len);
    frame.extend_from_slice(payload.as_bytes());
    frame
}

/// The payload of a frame made by [`text_frame`] (its header is 2 or 4 bytes).
fn payload(frame: &[u8]) -> &[u8] {
    let header = if frame[1] < 126 { 2 } else { 4 };
    &frame[header..]
}

/// Reads a connection to its end, counting the bytes.
async fn read_all(mut stream: tokio::net::TcpStream, received: Arc<AtomicU64>) {
    let mut buffer = [0u8; 512];
    while let Ok(n) = stream.read(&mut buffer).await {
        if n == 0 {
            break;
        }
        received.fetch_add(n as u64, Ordering::Relaxed);
    }
}

#[cfg(test)]
mod tests {
    use super::{payload, text_frame};

    #[test]
    fn a_frame_has_the_size_asked_and_says_its_length() {
        for bytes in [4, 20, 89, 125, 127, 130, 300] {
            let frame = text_frame(bytes);
            assert_eq!(frame.len(), bytes, "{bytes}");
            assert_eq!(frame[0], 0x81);
            let said = if frame[1] < 126 {
                usize::from(frame[1])
            } else {
                usize::from(u16::from_be_bytes([frame[2], frame[3]]))
            };
            assert_eq!(payload(&frame).len(), said, "{bytes}");
            assert!(frame.ends_with(payload(&frame)));
        }
    }
}
