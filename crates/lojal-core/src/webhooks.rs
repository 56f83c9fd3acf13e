//! Webhooks out: the events a shop's endpoints receive, the address rule
//! for an endpoint, and the signature on every delivery (as Stripe signs:
//! `Lojal-Signature: t={unix},v1={hex HMAC-SHA256(secret, "{t}.{body}")}`).

use crate::Error;
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;

/// The header carrying the signature.
pub const SIGNATURE_HEADER: &str = "Lojal-Signature";
/// The header carrying the event's id (the same on every retry).
pub const EVENT_ID_HEADER: &str = "Lojal-Event-Id";
/// How old a signature's `t` a receiver should accept, in seconds.
pub const DEFAULT_TOLERANCE_SECS: i64 = 300;
/// The most endpoints one shop may register.
pub const MAX_ENDPOINTS: usize = 16;
/// The longest endpoint address accepted.
pub const MAX_URL_LEN: usize = 2048;

/// What happened, with the facts a receiver needs without calling back.
/// Serialized adjacently tagged: `{"type": "points.earned", "data": {...}}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", content = "data")]
pub enum Event {
    #[serde(rename = "member.joined")]
    MemberJoined(MemberJoined),
    #[serde(rename = "points.earned")]
    PointsEarned(PointsMoved),
    #[serde(rename = "points.spent")]
    PointsSpent(PointsMoved),
    #[serde(rename = "points.reversed")]
    PointsReversed(PointsMoved),
    #[serde(rename = "points.expired")]
    PointsExpired(PointsMoved),
    #[serde(rename = "points.expiring")]
    PointsExpiring(PointsExpiring),
    #[serde(rename = "tier.changed")]
    TierChanged(TierChanged),
    #[serde(rename = "reward.redeemed")]
    RewardRedeemed(RewardRedeemed),
    #[serde(rename = "code.used")]
    CodeUsed(CodeEvent),
    #[serde(rename = "code.voided")]
    CodeVoided(CodeEvent),
    #[serde(rename = "referral.completed")]
    ReferralCompleted(ReferralCompleted),
    #[serde(rename = "feedback.received")]
    FeedbackReceived(FeedbackReceived),
}

/// Every event type's name, as endpoints subscribe to them.
pub const EVENT_TYPES: [&str; 12] = [
    "member.joined",
    "points.earned",
    "points.spent",
    "points.reversed",
    "points.expired",
    "points.expiring",
    "tier.changed",
    "reward.redeemed",
    "code.used",
    "code.voided",
    "referral.completed",
    "feedback.received",
];

impl Event {
    /// The event's `type`, as in [`EVENT_TYPES`].
    pub fn type_name(&self) -> &'static str {
        match self {
            Event::MemberJoined(_) => "member.joined",
            Event::PointsEarned(_) => "points.earned",
            Event::PointsSpent(_) => "points.spent",
            Event::PointsReversed(_) => "points.reversed",
            Event::PointsExpired(_) => "points.expired",
            Event::PointsExpiring(_) => "points.expiring",
            Event::TierChanged(_) => "tier.changed",
            Event::RewardRedeemed(_) => "reward.redeemed",
            Event::CodeUsed(_) => "code.used",
            Event::CodeVoided(_) => "code.voided",
            Event::ReferralCompleted(_) => "referral.completed",
            Event::FeedbackReceived(_) => "feedback.received",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemberJoined {
    pub customer: String,
}

/// A ledger row: points earned, spent, taken back or expired.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PointsMoved {
    pub customer: String,
    /// Signed, as in the ledger: negative for spent, reversed and expired.
    pub points: i64,
    /// The member's balance after the move.
    pub balance: i64,
    /// The ledger's reason (`earn`, `referral`, `redeem`, `refund`, `expiry`, ...).
    pub reason: String,
    pub order_id: Option<String>,
    pub reward_id: Option<String>,
    pub note: Option<String>,
}

/// Points that will expire soon unless the member uses them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PointsExpiring {
    pub customer: String,
    pub points: i64,
    /// RFC 3339.
    pub expires_at: String,
    pub balance: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TierChanged {
    pub customer: String,
    /// The tier held before (`None` only for a program without tiers then).
    pub from: Option<String>,
    pub to: String,
    /// `up` or `down`.
    pub direction: String,
    pub lifetime_points: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RewardRedeemed {
    pub customer: String,
    pub reward_id: String,
    /// The code the member gives at checkout.
    pub code: String,
    /// Points spent on it.
    pub points: i64,
    pub balance: i64,
}

/// A discount code used at checkout or voided.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CodeEvent {
    pub customer: Option<String>,
    pub code: String,
    pub reward_id: Option<String>,
    pub order_id: Option<String>,
    /// Why, for a voided code (such as `refund`).
    pub reason: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReferralCompleted {
    /// The member whose code was used, credited now.
    pub referrer: String,
    /// The new member whose first order completed the referral.
    pub customer: String,
    pub order_id: String,
    /// Points the referrer received.
    pub points: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FeedbackReceived {
    pub customer: String,
    pub order_id: String,
    /// 0 to 10.
    pub score: i64,
    pub comment: Option<String>,
    /// Points given for answering (0 for none).
    pub points: i64,
}

/// What is sent: the event with its id, shop and time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Envelope {
    /// `evt_...`, the same on every retry and resend: receivers dedupe by it.
    pub id: String,
    #[serde(flatten)]
    pub event: Event,
    /// RFC 3339, when the change happened.
    pub created_at: String,
    pub shop: String,
}

/// Checks the event types an endpoint subscribes to: at least one, each
/// known, none twice.
pub fn validate_events(events: &[String]) -> Result<(), Error> {
    if events.is_empty() {
        return Err(Error::InvalidRequest("events must name at least one event type".into()));
    }
    for (i, e) in events.iter().enumerate() {
        if !EVENT_TYPES.contains(&e.as_str()) {
            return Err(Error::InvalidRequest(format!(
                "events: `{}` is not an event type; use one of {}",
                e.chars().take(64).collect::<String>(),
                EVENT_TYPES.join(", ")
            )));
        }
        if events[..i].contains(e) {
            return Err(Error::InvalidRequest(format!("events: `{e}` is named twice")));
        }
    }
    Ok(())
}

/// Checks an endpoint's address: `https://` with a host, or `http://` to
/// loopback only (127.0.0.1, [::1], localhost) for development; no user
/// name or password in it, no fragment, at most [`MAX_URL_LEN`] bytes.
pub fn validate_url(url: &str) -> Result<(), Error> {
    let refuse = |why: &str| Err(Error::InvalidRequest(format!("url: {why}")));
    if url.len() > MAX_URL_LEN {
        return refuse("at most 2048 characters");
    }
    if url.chars().any(|c| c.is_control() || c.is_whitespace()) {
        return refuse("no spaces or control characters");
    }
    let parsed = match url::Url::parse(url) {
        Ok(parsed) => parsed,
        Err(_) => return refuse("not an absolute URL such as https://example.com/lojal"),
    };
    if !parsed.username().is_empty() || parsed.password().is_some() {
        return refuse("no user name or password in the address");
    }
    if parsed.fragment().is_some() {
        return refuse("no #fragment");
    }
    let loopback = match parsed.host() {
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => return refuse("needs a host"),
    };
    match parsed.scheme() {
        "https" => Ok(()),
        "http" if loopback => Ok(()),
        "http" => refuse("must be https:// (http:// only to 127.0.0.1, [::1] or localhost, for development)"),
        _ => refuse("must be https://"),
    }
}

fn mac(secret: &str, t: i64, body: &[u8]) -> Hmac<Sha256> {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes a key of any length");
    mac.update(t.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    mac
}

/// The `Lojal-Signature` header value for `body` sent at unix time `t`:
/// `t={t},v1={lowercase hex HMAC-SHA256(secret, "{t}.{body}")}`.
pub fn sign(secret: &str, t: i64, body: &[u8]) -> String {
    format!("t={t},v1={}", hex::encode(mac(secret, t, body).finalize().into_bytes()))
}

/// Why a signature was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VerifyError {
    /// Not `t=...,v1=...`.
    Malformed,
    /// No `v1` matches.
    Mismatch,
    /// `t` is further than the tolerance from now.
    Stale,
}

/// A receiver's check of a `Lojal-Signature` header: one of its `v1`
/// values (several while a secret is rotated) matches, compared in constant
/// time, and `t` is within `tolerance` seconds of `now`.
pub fn verify(secret: &str, header: &str, body: &[u8], now: i64, tolerance: i64) -> Result<(), VerifyError> {
    let mut t = None;
    let mut signatures = Vec::new();
    for part in header.split(',') {
        match part.trim().split_once('=') {
            Some(("t", v)) => t = Some(v.parse::<i64>().map_err(|_| VerifyError::Malformed)?),
            Some(("v1", v)) => signatures.push(v),
            Some(_) => {}
            None => return Err(VerifyError::Malformed),
        }
    }
    let t = t.ok_or(VerifyError::Malformed)?;
    if signatures.is_empty() {
        return Err(VerifyError::Malformed);
    }
    let matched = signatures.iter().any(|sig| {
        sig.len() == 64 && hex::decode(sig).is_ok_and(|sig| mac(secret, t, body).verify_slice(&sig).is_ok())
    });
    if !matched {
        return Err(VerifyError::Mismatch);
    }
    if now.abs_diff(t) > tolerance.unsigned_abs() {
        return Err(VerifyError::Stale);
    }
    Ok(())
}

/// When to try a failed delivery again: `base_ms` × 2^(attempts − 1),
/// at most an hour, after the `attempts`-th failed attempt.
pub fn backoff_ms(base_ms: u64, attempts: u32) -> u64 {
    const HOUR_MS: u64 = 3_600_000;
    let factor = 1u64 << attempts.saturating_sub(1).min(30);
    base_ms.saturating_mul(factor).min(HOUR_MS)
}

#[cfg(test)]
mod tests {
    use super::*;

    const T: i64 = 1_763_900_000;

    #[test]
    fn signature_matches_an_independent_hmac_sha256() {
        // printf '1763900000.{"a":1}' | openssl dgst -sha256 -hmac whsec_test
        assert_eq!(
            sign("whsec_test", T, br#"{"a":1}"#),
            "t=1763900000,v1=f4b0de944059b739417439f3c9e54ee58735dac75e35b229c31dc6e02fb559de"
        );
    }

    #[test]
    fn a_fresh_signature_verifies_and_binds_secret_time_and_body() {
        let body = br#"{"id":"evt_1"}"#;
        let header = sign("k", T, body);
        assert_eq!(verify("k", &header, body, T + 10, 300), Ok(()));
        assert_eq!(verify("other", &header, body, T, 300), Err(VerifyError::Mismatch));
        assert_eq!(verify("k", &header, br#"{"id":"evt_2"}"#, T, 300), Err(VerifyError::Mismatch));
        let moved = header.replace(&format!("t={T}"), &format!("t={}", T + 1));
        assert_eq!(verify("k", &moved, body, T, 300), Err(VerifyError::Mismatch));
    }

    #[test]
    fn signatures_older_than_the_tolerance_are_refused() {
        let header = sign("k", T, b"x");
        assert_eq!(verify("k", &header, b"x", T + 300, 300), Ok(()));
        assert_eq!(verify("k", &header, b"x", T + 301, 300), Err(VerifyError::Stale));
        assert_eq!(verify("k", &header, b"x", T - 301, 300), Err(VerifyError::Stale));
    }

    #[test]
    fn any_matching_v1_is_enough_and_malformed_headers_are_refused() {
        let header = sign("k", T, b"x");
        let v1 = header.split_once(",v1=").unwrap().1;
        let two = format!("t={T},v1={},v1={v1}", "0".repeat(64));
        assert_eq!(verify("k", &two, b"x", T, 300), Ok(()));
        for bad in ["", "t=1", "v1=ab", "t=x,v1=00", "garbage"] {
            assert_eq!(verify("k", bad, b"x", T, 300), Err(VerifyError::Malformed), "{bad}");
        }
        assert_eq!(verify("k", &format!("t={T},v1=zz"), b"x", T, 300), Err(VerifyError::Mismatch));
    }

    #[test]
    fn events_serialize_with_their_type_and_data() {
        let envelope = Envelope {
            id: "evt_1".into(),
            event: Event::MemberJoined(MemberJoined { customer: "c1".into() }),
            created_at: "2026-11-24T10:00:00Z".into(),
            shop: "demo".into(),
        };
        let json = serde_json::to_value(&envelope).unwrap();
        assert_eq!(json["type"], "member.joined");
        assert_eq!(json["data"]["customer"], "c1");
        assert_eq!(json["id"], "evt_1");
        assert_eq!(json["shop"], "demo");
        let back: Envelope = serde_json::from_value(json).unwrap();
        assert_eq!(back, envelope);
    }

    #[test]
    fn every_event_type_name_is_listed_and_serialized_as_named() {
        let moved = PointsMoved {
            customer: "c".into(),
            points: 1,
            balance: 1,
            reason: "earn".into(),
            order_id: None,
            reward_id: None,
            note: None,
        };
        let code = CodeEvent { customer: None, code: "X".into(), reward_id: None, order_id: None, reason: None };
        let events = [
            Event::MemberJoined(MemberJoined { customer: "c".into() }),
            Event::PointsEarned(moved.clone()),
            Event::PointsSpent(moved.clone()),
            Event::PointsReversed(moved.clone()),
            Event::PointsExpired(moved),
            Event::PointsExpiring(PointsExpiring {
                customer: "c".into(),
                points: 1,
                expires_at: String::new(),
                balance: 1,
            }),
            Event::TierChanged(TierChanged {
                customer: "c".into(),
                from: None,
                to: "gold".into(),
                direction: "up".into(),
                lifetime_points: 1,
            }),
            Event::RewardRedeemed(RewardRedeemed {
                customer: "c".into(),
                reward_id: "r".into(),
                code: "X".into(),
                points: 1,
                balance: 0,
            }),
            Event::CodeUsed(code.clone()),
            Event::CodeVoided(code),
            Event::ReferralCompleted(ReferralCompleted {
                referrer: "a".into(),
                customer: "b".into(),
                order_id: "o".into(),
                points: 1,
            }),
            Event::FeedbackReceived(FeedbackReceived {
                customer: "c".into(),
                order_id: "o".into(),
                score: 9,
                comment: None,
                points: 0,
            }),
        ];
        for (event, name) in events.iter().zip(EVENT_TYPES) {
            assert_eq!(event.type_name(), name);
            assert_eq!(serde_json::to_value(event).unwrap()["type"], name);
        }
    }

    #[test]
    fn endpoint_addresses_are_https_or_loopback() {
        for ok in [
            "https://example.com/hooks",
            "https://example.com:8443/a?b=c",
            "http://127.0.0.1:9000/hook",
            "http://[::1]:9000/",
            "http://localhost/x",
            "https://127.0.0.1/x",
        ] {
            assert_eq!(validate_url(ok), Ok(()), "{ok}");
        }
        for bad in [
            "http://example.com/hook",
            "http://10.0.0.1/hook",
            "ftp://example.com/",
            "https://user:pw@example.com/",
            "https://example.com/#x",
            "example.com/hook",
            "",
            "https://exa mple.com/",
            "javascript:alert(1)",
            "http://localhost.evil.com/",
        ] {
            assert!(validate_url(bad).is_err(), "{bad}");
        }
        assert!(validate_url(&format!("https://example.com/{}", "a".repeat(MAX_URL_LEN))).is_err());
    }

    #[test]
    fn event_lists_are_known_types_once_each() {
        let list = |names: &[&str]| names.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert!(validate_events(&list(&["points.earned", "tier.changed"])).is_ok());
        assert!(validate_events(&list(&[])).is_err());
        assert!(validate_events(&list(&["points.earned", "points.earned"])).is_err());
        assert!(validate_events(&list(&["points.*"])).is_err());
    }

    #[test]
    fn backoff_doubles_up_to_an_hour() {
        assert_eq!(backoff_ms(30_000, 1), 30_000);
        assert_eq!(backoff_ms(30_000, 2), 60_000);
        assert_eq!(backoff_ms(30_000, 5), 480_000);
        assert_eq!(backoff_ms(30_000, 8), 3_600_000);
        assert_eq!(backoff_ms(30_000, 200), 3_600_000);
        assert_eq!(backoff_ms(100, 1), 100);
    }
}
