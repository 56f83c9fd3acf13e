//! Guests who buy, then join: a guest's order named by the hash of their
//! email keeps the points it would have earned pending for a while; the
//! member who joins with that hash gets them once.
//!
//! The hash is the merchant's: lowercase hex SHA-256 of the trimmed,
//! lowercased email, computed by their back end. Lojal never sees the email.

use crate::Error;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GuestPoints {
    /// How long a guest's order's points wait for them to join.
    pub pending_days: u32,
}

pub const MAX_PENDING_DAYS: u32 = 365;
const DAY: i64 = 86_400;

impl GuestPoints {
    pub fn validate(&self) -> Result<(), String> {
        if !(1..=MAX_PENDING_DAYS).contains(&self.pending_days) {
            return Err(format!("guest_points.pending_days must be 1 to {MAX_PENDING_DAYS}"));
        }
        Ok(())
    }

    /// The moment an order placed at `created_at` stops waiting: its points
    /// can be claimed while `now < pending_until`.
    pub fn pending_until(&self, created_at: i64) -> i64 {
        created_at + i64::from(self.pending_days) * DAY
    }
}

/// A checked email hash: exactly 64 lowercase hex characters.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct EmailHash(String);

impl EmailHash {
    pub fn parse(text: &str) -> Result<EmailHash, Error> {
        if text.len() == 64 && text.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)) {
            Ok(EmailHash(text.to_owned()))
        } else {
            Err(Error::InvalidRequest(
                "email_hash must be the lowercase hex SHA-256 of the lowercased email (64 characters of 0-9 a-f)"
                    .into(),
            ))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for EmailHash {
    type Error = Error;
    fn try_from(text: String) -> Result<Self, Error> {
        EmailHash::parse(&text)
    }
}

impl From<EmailHash> for String {
    fn from(hash: EmailHash) -> String {
        hash.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn email_hashes_are_64_lowercase_hex() {
        // printf 'anna@example.se' | sha256sum
        let good = "1d3f3d0a9b4a8d7b6c2c7f5b0f9a4e3c2b1a0f9e8d7c6b5a4f3e2d1c0b9a8f7e";
        assert_eq!(EmailHash::parse(good).unwrap().as_str(), good);
        for bad in
            ["", "anna@example.se", &good.to_uppercase(), &good[..63], &format!("{good}0"), &good.replace('1', "g")]
        {
            assert!(EmailHash::parse(bad).is_err(), "{bad}");
        }
        assert!(serde_json::from_str::<EmailHash>("\"ABC\"").is_err());
    }

    #[test]
    fn points_wait_exactly_pending_days() {
        let rule = GuestPoints { pending_days: 30 };
        assert_eq!(rule.pending_until(1_000), 1_000 + 30 * DAY);
        assert!(rule.validate().is_ok());
        assert!(GuestPoints { pending_days: 0 }.validate().is_err());
        assert!(GuestPoints { pending_days: MAX_PENDING_DAYS + 1 }.validate().is_err());
    }
}
