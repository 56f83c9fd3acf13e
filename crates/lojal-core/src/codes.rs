//! Discount codes at checkout: how a typed code is read, and what state an
//! issued code is in.
//!
//! Every code Lojal issues (a redemption, a full stamp card, a win-back
//! offer, a referee's welcome reward) has the shape `LOJ-XXXX-XXXX` over an
//! alphabet without look-alikes. A checkout may hand over what the shopper
//! typed: any case, with or without the dashes, with spaces around.

use serde::{Deserialize, Serialize};

/// The characters of a code after `LOJ`: no 0/O, 1/I/L.
pub const ALPHABET: &[u8] = b"23456789ABCDEFGHJKMNPQRSTUVWXYZ";

/// The canonical form of a typed discount code (`LOJ-XXXX-XXXX`), or `None`
/// when it cannot be one of ours.
pub fn normalize(typed: &str) -> Option<String> {
    let compact: String =
        typed.chars().filter(|c| !matches!(c, '-' | ' ' | '\t')).map(|c| c.to_ascii_uppercase()).collect();
    let body = compact.strip_prefix("LOJ")?;
    if body.len() != 8 || !body.bytes().all(|b| ALPHABET.contains(&b)) {
        return None;
    }
    Some(format!("LOJ-{}-{}", &body[..4], &body[4..]))
}

/// Where an issued code stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CodeStatus {
    /// It can be used at checkout.
    Active,
    /// An order used it.
    Used,
    /// The merchant cancelled it (its points went back), or the order that
    /// earned it was refunded.
    Void,
    /// Its reward's `expires_after_days` passed before it was used.
    Expired,
}

impl CodeStatus {
    /// A used code stays used even after its date passes; a void one stays
    /// void. Expiry applies only to a code nobody used or voided.
    pub fn of(used_at: Option<i64>, voided_at: Option<i64>, expires_at: Option<i64>, now: i64) -> CodeStatus {
        if used_at.is_some() {
            CodeStatus::Used
        } else if voided_at.is_some() {
            CodeStatus::Void
        } else if expires_at.is_some_and(|at| now >= at) {
            CodeStatus::Expired
        } else {
            CodeStatus::Active
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            CodeStatus::Active => "active",
            CodeStatus::Used => "used",
            CodeStatus::Void => "void",
            CodeStatus::Expired => "expired",
        }
    }

    pub fn parse(text: &str) -> Option<CodeStatus> {
        [CodeStatus::Active, CodeStatus::Used, CodeStatus::Void, CodeStatus::Expired]
            .into_iter()
            .find(|s| s.as_str() == text)
    }
}

/// When a code issued at `issued_at` for a reward that lasts `days` expires.
pub fn expires_at(issued_at: i64, days: Option<u32>) -> Option<i64> {
    days.map(|d| issued_at.saturating_add(i64::from(d) * 86_400))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typed_codes_are_read_in_any_case_with_or_without_dashes() {
        for typed in ["LOJ-ABCD-2345", "loj-abcd-2345", "LOJABCD2345", " loj abcd 2345 ", "Loj-AbCd2345"] {
            assert_eq!(normalize(typed).as_deref(), Some("LOJ-ABCD-2345"), "{typed}");
        }
    }

    #[test]
    fn what_cannot_be_a_code_is_refused() {
        for typed in ["", "LOJ", "LOJ-ABCD-234", "LOJ-ABCD-23456", "XYZ-ABCD-2345", "LOJ-ABC0-2345", "LOJ-ABCÖ-2345"] {
            assert_eq!(normalize(typed), None, "{typed}");
        }
    }

    #[test]
    fn status_used_beats_void_beats_expired() {
        assert_eq!(CodeStatus::of(None, None, None, 10), CodeStatus::Active);
        assert_eq!(CodeStatus::of(None, None, Some(11), 10), CodeStatus::Active);
        assert_eq!(CodeStatus::of(None, None, Some(10), 10), CodeStatus::Expired);
        assert_eq!(CodeStatus::of(None, Some(5), Some(10), 20), CodeStatus::Void);
        assert_eq!(CodeStatus::of(Some(9), None, Some(10), 20), CodeStatus::Used);
        assert_eq!(CodeStatus::of(Some(9), Some(12), None, 20), CodeStatus::Used);
    }

    #[test]
    fn statuses_round_trip_their_names() {
        for status in [CodeStatus::Active, CodeStatus::Used, CodeStatus::Void, CodeStatus::Expired] {
            assert_eq!(CodeStatus::parse(status.as_str()), Some(status));
            assert_eq!(serde_json::to_value(status).unwrap(), status.as_str());
        }
    }

    #[test]
    fn a_code_lasts_its_days() {
        assert_eq!(expires_at(1000, None), None);
        assert_eq!(expires_at(1000, Some(2)), Some(1000 + 2 * 86_400));
    }
}
