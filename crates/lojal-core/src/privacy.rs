//! A person's data, out and erased (GDPR articles 15 and 17): the shape of
//! the export, and the pseudonym erasure leaves in their place.

use crate::api::{CartView, CodeView, LedgerEntryView};
use crate::birthday::Birthday;
use crate::requests::LineItem;
use serde::{Deserialize, Serialize};

/// What an erased member's id becomes in the rows that must stay (the money
/// moves): a prefix a reader recognises and random characters nothing can
/// lead back from.
pub const PSEUDONYM_PREFIX: &str = "erased-";

pub fn is_pseudonym(id: &str) -> bool {
    id.starts_with(PSEUDONYM_PREFIX)
}

/// `GET /v1/shops/{shop}/customers/{id}/export`: everything kept about one
/// person.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PersonalData {
    pub shop: String,
    pub customer: String,
    /// RFC 3339, as every time here.
    pub exported_at: String,
    pub member: MemberRecord,
    /// Every points movement, oldest first.
    pub ledger: Vec<LedgerEntryView>,
    pub orders: Vec<OrderRecord>,
    pub codes: Vec<CodeView>,
    pub cart: Option<CartView>,
    pub feedback: Vec<FeedbackRecord>,
    pub actions: Vec<ActionRecord>,
    /// Store credit movements, oldest first.
    pub credit: Vec<CreditRecord>,
    pub donations: Vec<DonationRecord>,
    pub stamps: Vec<StampRecord>,
    /// Webhook events about them still kept, as they were sent.
    pub events: Vec<crate::webhooks::Envelope>,
    /// Recommended items they were shown (once a day each) and clicked.
    pub recommendations: Vec<PickRecord>,
    /// The email hashes of the guest orders they claimed on joining.
    #[serde(default)]
    pub email_hashes: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PickRecord {
    /// `view` or `click`.
    pub kind: String,
    pub sku: String,
    pub at: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MemberRecord {
    pub points: i64,
    pub lifetime_points: i64,
    pub credit: i64,
    pub referral_code: String,
    /// The member whose referral brought them.
    pub referred_by: Option<String>,
    /// How many members they referred (their ids are others' data).
    pub referrals: i64,
    pub joined_at: Option<String>,
    pub first_seen_at: String,
    pub birthday: Option<Birthday>,
    pub stamps: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderRecord {
    pub id: String,
    pub total: i64,
    pub currency: String,
    pub created_at: String,
    pub points_awarded: i64,
    pub points_reversed: i64,
    pub referral_code: Option<String>,
    pub items: Vec<LineItem>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FeedbackRecord {
    pub order_id: String,
    pub score: i64,
    pub comment: Option<String>,
    pub points: i64,
    pub at: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActionRecord {
    pub action_id: String,
    pub event_id: String,
    pub points: i64,
    pub at: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreditRecord {
    pub delta: i64,
    pub reason: String,
    pub order_id: Option<String>,
    pub at: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DonationRecord {
    pub points: i64,
    pub amount: i64,
    pub cause: String,
    pub at: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StampRecord {
    pub order_id: String,
    /// `punch` or `unpunch`.
    pub kind: String,
    pub stamps_after: i64,
    pub code: Option<String>,
    pub at: String,
}

/// `DELETE /v1/shops/{shop}/customers/{id}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErasureReply {
    pub customer: String,
    /// False when there was nothing left to erase (erased before, or never
    /// a member): erasing is safe to repeat.
    pub erased: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pseudonyms_are_recognisable() {
        assert!(is_pseudonym("erased-7k2m"));
        assert!(!is_pseudonym("anna"));
    }
}
