//! The tutorial's own rules, free of I/O and compiled for both the server and the browser.
//!
//! Every type here is parsed from untrusted input once (`parse`/`new` return a
//! [`DomainError`] naming the field) and is valid from then on.

pub mod account;
pub mod agenda;
pub mod attendee;
pub mod calendar;
pub mod chart;
pub mod checkin;
pub mod cloud;
pub mod event;
pub mod eventbrite;
pub mod export;
pub mod feedback;
pub mod filter;
pub mod help;
pub mod lab;
pub mod limit;
pub mod mail;
pub mod overlay;
pub mod pace;
pub mod place;
pub mod poll;
pub mod question;
pub mod registration;
pub mod report;

use serde::{Deserialize, Serialize};

/// Why a piece of input was refused, in words an organizer or attendee can act on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[error("{} {message}", field_label(field))]
pub struct DomainError {
    /// The form field or message part at fault, e.g. `title` or `sections[2].minutes`.
    pub field: String,
    /// A sentence for the person who typed it.
    pub message: String,
}

impl DomainError {
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            message: message.into(),
        }
    }
}

/// A field name as a person reads it: `starts_at` → "Starts at",
/// `sections[2].exercise_minutes` → "Section 2 exercise minutes".
pub fn field_label(field: &str) -> String {
    let words = field
        .replace("sections[", "section ")
        .replace("materials[", "link ")
        .replace(['[', ']'], "")
        .replace(['.', '_'], " ");
    let mut chars = words.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => words,
    }
}

/// Trims `raw` and checks it holds between `min` and `max` characters (not bytes).
pub(crate) fn bounded_text(
    field: &str,
    raw: &str,
    min: usize,
    max: usize,
) -> Result<String, DomainError> {
    let text = raw.trim();
    let count = text.chars().count();
    if count < min {
        return Err(DomainError::new(
            field,
            if min == 1 {
                "is required".to_string()
            } else {
                format!("needs at least {min} characters")
            },
        ));
    }
    if count > max {
        return Err(DomainError::new(
            field,
            format!("is too long ({count} characters; at most {max})"),
        ));
    }
    if text.chars().any(|c| c.is_control() && c != '\n') {
        return Err(DomainError::new(field, "contains control characters"));
    }
    Ok(text.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounded_text_trims_and_counts_characters_not_bytes() {
        assert_eq!(
            bounded_text("t", "  Zürich  ", 1, 6).as_deref(),
            Ok("Zürich")
        );
        assert!(bounded_text("t", "Zürich!", 1, 6).is_err());
    }

    #[test]
    fn errors_read_as_sentences_with_their_field() {
        assert_eq!(
            DomainError::new("starts_at", "is required").to_string(),
            "Starts at is required"
        );
        assert_eq!(
            field_label("sections[2].exercise_minutes"),
            "Section 2 exercise minutes"
        );
        assert_eq!(field_label("materials[1].url"), "Link 1 url");
    }

    #[test]
    fn bounded_text_refuses_empty_and_control_characters() {
        assert_eq!(
            bounded_text("title", "   ", 1, 10).unwrap_err().message,
            "is required"
        );
        assert!(bounded_text("title", "a\u{7}b", 1, 10).is_err());
    }
}
