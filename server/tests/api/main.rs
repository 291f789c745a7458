//! Lectern's integration tests: the real server on 127.0.0.1:0 with a fresh database per
//! test (SQLite; PostgreSQL when `LECTERN_TEST_POSTGRES` names a server), driven over
//! HTTP (reqwest) and WebSocket (tokio-tungstenite).

mod changelog;
mod checkins;
mod cloud;
mod crash;
mod deltas;
mod disk;
mod feedback;
mod filter;
mod hardening;
mod help;
mod helpers;
mod live;
mod nginx;
mod organizers;
mod overlay;
mod pacing;
mod pages;
mod questions;
mod quiz;
mod registration;
mod replicas;
mod reveal;
mod site;
