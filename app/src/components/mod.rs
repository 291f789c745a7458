//! Views used on more than one screen.

pub mod agenda;
pub mod charts;
pub mod checkin;
pub mod chrome;
pub mod cloud;
pub mod feedback;
pub mod lab;
pub mod live;
pub mod overlay;
pub mod pace;
pub mod poll;
pub mod questions;
pub mod world_map;
pub mod zones;
