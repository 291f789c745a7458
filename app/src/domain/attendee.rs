//! Who an attendee is to a room: an anonymous id, the same across their reloads, tabs
//! and reconnects, and the key of every board they act on (one pace vote, one check-in,
//! one answer per poll, one upvote per question).

use super::DomainError;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::borrow::Borrow;
use std::fmt;
use std::sync::Arc;

/// The longest id taken: the server makes 32 hex digits; 64 leaves room for others.
const MAX_ID_CHARS: usize = 64;

/// An attendee's id: made by the server and kept in a cookie it signed (no account, no
/// name). Shared, not copied: every page, vote and board entry of the attendee points
/// at one string.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct AttendeeId(Arc<str>);

impl AttendeeId {
    /// An id from outside (a cookie, a stored row, a change in the log): 1–64 ASCII
    /// letters, digits, `-` or `_`.
    pub fn parse(raw: &str) -> Result<Self, DomainError> {
        let fits = (1..=MAX_ID_CHARS).contains(&raw.len())
            && raw
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        if fits {
            Ok(Self(raw.into()))
        } else {
            Err(DomainError::new(
                "attendee",
                "is not an attendee id (1–64 letters, digits, - or _)",
            ))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Boards keyed by id are looked up with a plain `&str` too.
impl Borrow<str> for AttendeeId {
    fn borrow(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for AttendeeId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl Serialize for AttendeeId {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

/// Read back from the change log like any other input: checked.
impl<'de> Deserialize<'de> for AttendeeId {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let raw = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        Self::parse(&raw).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_id_is_short_plain_ascii() {
        assert!(AttendeeId::parse("0123456789abcdef0123456789abcdef").is_ok());
        assert!(AttendeeId::parse("load-7_b").is_ok());
        assert!(AttendeeId::parse("").is_err());
        assert!(AttendeeId::parse(&"a".repeat(65)).is_err());
        assert!(AttendeeId::parse("a b").is_err());
        assert!(AttendeeId::parse("ä").is_err());
    }

    #[test]
    fn an_id_travels_as_a_plain_string_and_is_checked_on_the_way_back() {
        let id = AttendeeId::parse("a1").unwrap();
        assert_eq!(serde_json::to_string(&id).unwrap(), r#""a1""#);
        assert_eq!(serde_json::from_str::<AttendeeId>(r#""a1""#).unwrap(), id);
        assert!(serde_json::from_str::<AttendeeId>(r#""a 1""#).is_err());
    }
}
