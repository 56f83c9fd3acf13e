//! Signed customer identity (CONTRACT.md section 3).
//!
//! The merchant's back end signs `"{shop}:{customer}:{ts}"` with the shop
//! secret; the browser passes the signature along but cannot forge one.

use crate::Error;
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;
use std::fmt;

/// How far a signature's timestamp may be from now, either way, in seconds.
pub const MAX_SIGNATURE_AGE_SECS: i64 = 86_400;

/// A customer id as the merchant names its customers: 1 to 128 characters
/// of `A-Z a-z 0-9 . _ @ + -`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct CustomerId(String);

impl CustomerId {
    pub fn parse(id: &str) -> Result<Self, Error> {
        let allowed = |c: char| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '@' | '+' | '-');
        if (1..=128).contains(&id.len()) && id.chars().all(allowed) {
            Ok(Self(id.to_owned()))
        } else {
            Err(Error::InvalidCustomerId)
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for CustomerId {
    type Error = Error;
    fn try_from(id: String) -> Result<Self, Error> {
        Self::parse(&id)
    }
}

impl From<CustomerId> for String {
    fn from(id: CustomerId) -> String {
        id.0
    }
}

impl fmt::Display for CustomerId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Checks a shop id: 1 to 64 characters of `a-z 0-9 - _`, so it is safe in
/// URLs, file names and log lines as it is.
pub fn validate_shop_id(id: &str) -> Result<(), Error> {
    let allowed = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '-' | '_');
    if (1..=64).contains(&id.len()) && id.chars().all(allowed) {
        Ok(())
    } else {
        Err(Error::InvalidShopId)
    }
}

fn mac(secret: &str, shop: &str, customer: &str, ts: i64) -> Hmac<Sha256> {
    mac_of(secret, &format!("{shop}:{customer}:{ts}"))
}

fn mac_of(secret: &str, message: &str) -> Hmac<Sha256> {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes a key of any length");
    mac.update(message.as_bytes());
    mac
}

/// A guest's email hash as the merchant signs it for the widget:
/// `"{shop}:guest:{email_hash}:{ts}"`. It can never be a customer
/// identity's message: customer ids hold no `:`.
fn guest_message(shop: &str, email_hash: &str, ts: i64) -> String {
    format!("{shop}:guest:{email_hash}:{ts}")
}

/// The signature that lets a guest's widget show the points pending for
/// their email hash (lowercase hex HMAC-SHA256 of [`guest_message`]).
pub fn sign_guest(secret: &str, shop: &str, email_hash: &str, ts: i64) -> String {
    hex::encode(mac_of(secret, &guest_message(shop, email_hash, ts)).finalize().into_bytes())
}

/// Checks a signed guest email hash, fresh as an identity must be.
pub fn verify_guest(
    secret: &str,
    shop: &str,
    email_hash: &str,
    ts: i64,
    sig: &str,
    now: i64,
) -> Result<crate::guest::EmailHash, Error> {
    let hash = crate::guest::EmailHash::parse(email_hash).map_err(|_| Error::MalformedSignature)?;
    check_signature(mac_of(secret, &guest_message(shop, hash.as_str(), ts)), sig, ts, now)?;
    Ok(hash)
}

fn check_signature(mac: Hmac<Sha256>, sig: &str, ts: i64, now: i64) -> Result<(), Error> {
    if sig.len() != 64 || !sig.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)) {
        return Err(Error::MalformedSignature);
    }
    let sig = hex::decode(sig).map_err(|_| Error::MalformedSignature)?;
    mac.verify_slice(&sig).map_err(|_| Error::BadSignature)?;
    if now.abs_diff(ts) > MAX_SIGNATURE_AGE_SECS as u64 {
        return Err(Error::StaleSignature);
    }
    Ok(())
}

/// The signature a merchant's back end puts on the page: lowercase hex
/// HMAC-SHA256 of `"{shop}:{customer}:{ts}"` keyed by the shop secret.
pub fn sign(secret: &str, shop: &str, customer: &str, ts: i64) -> String {
    hex::encode(mac(secret, shop, customer, ts).finalize().into_bytes())
}

/// Checks a signed identity and returns the customer it names.
///
/// The comparison runs in constant time, so timing does not leak how much of
/// a forged signature was right.
pub fn verify(secret: &str, shop: &str, customer: &str, ts: i64, sig: &str, now: i64) -> Result<CustomerId, Error> {
    let customer = CustomerId::parse(customer)?;
    check_signature(mac(secret, shop, customer.as_str(), ts), sig, ts, now)?;
    Ok(customer)
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 1_763_900_000;

    #[test]
    fn signature_matches_an_independent_hmac_sha256() {
        // Computed with: printf 'demo:cust-42:1763900000' | openssl dgst -sha256 -hmac secret
        assert_eq!(
            sign("secret", "demo", "cust-42", NOW),
            "7608210d3c0946b6868bdad18e259fcc659402bb1eae685f21d413f87e194c96"
        );
    }

    #[test]
    fn a_fresh_signature_names_its_customer() {
        let sig = sign("s3cret", "demo", "cust-42", NOW);
        let id = verify("s3cret", "demo", "cust-42", NOW, &sig, NOW + 10).unwrap();
        assert_eq!(id.as_str(), "cust-42");
    }

    #[test]
    fn signatures_are_accepted_exactly_up_to_a_day_either_way() {
        let sig = sign("k", "demo", "c", NOW);
        assert!(verify("k", "demo", "c", NOW, &sig, NOW + MAX_SIGNATURE_AGE_SECS).is_ok());
        assert!(verify("k", "demo", "c", NOW, &sig, NOW - MAX_SIGNATURE_AGE_SECS).is_ok());
        assert_eq!(verify("k", "demo", "c", NOW, &sig, NOW + MAX_SIGNATURE_AGE_SECS + 1), Err(Error::StaleSignature));
        assert_eq!(verify("k", "demo", "c", NOW, &sig, NOW - MAX_SIGNATURE_AGE_SECS - 1), Err(Error::StaleSignature));
    }

    #[test]
    fn a_signature_binds_shop_customer_timestamp_and_secret() {
        let sig = sign("k", "demo", "alice", NOW);
        assert_eq!(verify("k", "demo", "bob", NOW, &sig, NOW), Err(Error::BadSignature));
        assert_eq!(verify("k", "other", "alice", NOW, &sig, NOW), Err(Error::BadSignature));
        assert_eq!(verify("k", "demo", "alice", NOW + 1, &sig, NOW), Err(Error::BadSignature));
        assert_eq!(verify("other-key", "demo", "alice", NOW, &sig, NOW), Err(Error::BadSignature));
    }

    #[test]
    fn malformed_signatures_are_refused_before_any_hashing() {
        let sig = sign("k", "demo", "alice", NOW);
        assert_eq!(verify("k", "demo", "alice", NOW, &sig.to_uppercase(), NOW), Err(Error::MalformedSignature));
        assert_eq!(verify("k", "demo", "alice", NOW, &sig[..63], NOW), Err(Error::MalformedSignature));
        assert_eq!(verify("k", "demo", "alice", NOW, "", NOW), Err(Error::MalformedSignature));
    }

    #[test]
    fn a_guest_signature_names_its_hash_and_is_no_identity() {
        let hash = "a".repeat(64);
        let sig = sign_guest("k", "demo", &hash, NOW);
        assert_eq!(verify_guest("k", "demo", &hash, NOW, &sig, NOW + 5).unwrap().as_str(), hash);
        assert_eq!(verify_guest("k", "demo", &"b".repeat(64), NOW, &sig, NOW), Err(Error::BadSignature));
        assert_eq!(verify_guest("k", "other", &hash, NOW, &sig, NOW), Err(Error::BadSignature));
        assert_eq!(
            verify_guest("k", "demo", &hash, NOW, &sig, NOW + MAX_SIGNATURE_AGE_SECS + 1),
            Err(Error::StaleSignature)
        );
        assert_eq!(verify_guest("k", "demo", "not-a-hash", NOW, &sig, NOW), Err(Error::MalformedSignature));
        // A customer signature for an id that looks like the hash is not a guest's, nor the other way round.
        let as_customer = sign("k", "demo", &hash, NOW);
        assert_eq!(verify_guest("k", "demo", &hash, NOW, &as_customer, NOW), Err(Error::BadSignature));
        assert_eq!(verify("k", "demo", &hash, NOW, &sig, NOW), Err(Error::BadSignature));
    }

    #[test]
    fn customer_ids_follow_the_contract() {
        for ok in ["a", "cust-42", "anna.svensson+shop@example.se", &"x".repeat(128)] {
            assert!(CustomerId::parse(ok).is_ok(), "{ok}");
        }
        for bad in ["", " ", "a b", "å", "<script>", "a/b", &"x".repeat(129)] {
            assert_eq!(CustomerId::parse(bad), Err(Error::InvalidCustomerId), "{bad}");
        }
    }

    #[test]
    fn shop_ids_are_url_safe() {
        assert!(validate_shop_id("demo-shop_2").is_ok());
        for bad in ["", "Demo", "a/b", "a b", &"x".repeat(65)] {
            assert_eq!(validate_shop_id(bad), Err(Error::InvalidShopId), "{bad}");
        }
    }
}
