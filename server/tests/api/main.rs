//! Lectern's integration tests: the real server on 127.0.0.1:0 with a fresh SQLite
//! database per test, driven over HTTP (reqwest) and WebSocket (tokio-tungstenite).

mod checkins;
mod helpers;
mod live;
mod organizers;
