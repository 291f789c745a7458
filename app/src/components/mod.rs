//! Views used on more than one screen.

pub mod agenda;
pub mod chrome;
pub mod live;
pub mod pace;
