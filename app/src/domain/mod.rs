//! The tutorial's own rules, free of I/O and compiled for both the server and the browser.
//!
//! Every type here is parsed from untrusted input once (`parse`/`new` return a
//! [`DomainError`] naming the field) and is valid from then on.

pub mod account;
pub mod event;
pub mod pace;

use serde::{Deserialize, Serialize};

/// Why a piece of input was refused, in words an organizer or attendee can act on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[error("{field}: {message}")]
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
    fn bounded_text_refuses_empty_and_control_characters() {
        assert_eq!(
            bounded_text("title", "   ", 1, 10).unwrap_err().message,
            "is required"
        );
        assert!(bounded_text("title", "a\u{7}b", 1, 10).is_err());
    }
}
