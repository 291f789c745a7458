//! Organizer accounts: who may create events and hand out role links.

use super::{DomainError, bounded_text};
use serde::{Deserialize, Serialize};

/// An organizer's sign-in name, compared case-insensitively (stored lowercased).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Email(String);

impl Email {
    pub fn parse(raw: &str) -> Result<Self, DomainError> {
        let email = bounded_text("email", raw, 3, 254)?.to_lowercase();
        let valid = match email.split_once('@') {
            Some((local, domain)) => {
                !local.is_empty()
                    && domain.contains('.')
                    && !domain.starts_with('.')
                    && !domain.ends_with('.')
            }
            None => false,
        };
        if !valid || email.chars().any(char::is_whitespace) || email.matches('@').count() != 1 {
            return Err(DomainError::new("email", "must look like name@example.org"));
        }
        Ok(Self(email))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A new password, checked only for length: long passphrases beat composition rules.
#[derive(Clone, PartialEq, Eq)]
pub struct NewPassword(String);

impl NewPassword {
    pub const MIN_CHARS: usize = 10;

    pub fn parse(raw: &str) -> Result<Self, DomainError> {
        let count = raw.chars().count();
        if count < Self::MIN_CHARS {
            return Err(DomainError::new(
                "password",
                format!("needs at least {} characters", Self::MIN_CHARS),
            ));
        }
        if count > 256 {
            return Err(DomainError::new(
                "password",
                "is too long (at most 256 characters)",
            ));
        }
        Ok(Self(raw.to_string()))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

/// Never print a password, not even in a debug log.
impl std::fmt::Debug for NewPassword {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("NewPassword(…)")
    }
}

/// How an organizer is shown to their team.
pub fn parse_display_name(raw: &str) -> Result<String, DomainError> {
    bounded_text("name", raw, 1, 80)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_are_lowercased_and_checked_for_shape() {
        assert_eq!(
            Email::parse(" Ada@Example.ORG ").unwrap().as_str(),
            "ada@example.org"
        );
        for bad in [
            "ada",
            "ada@",
            "@example.org",
            "ada@example",
            "a b@example.org",
            "a@b@c.org",
        ] {
            assert!(Email::parse(bad).is_err(), "{bad:?} should be refused");
        }
    }

    #[test]
    fn passwords_need_ten_characters_and_never_print() {
        assert!(NewPassword::parse("short").is_err());
        let password = NewPassword::parse("correct horse battery").unwrap();
        assert!(!format!("{password:?}").contains("horse"));
    }
}
