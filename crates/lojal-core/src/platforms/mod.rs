//! Orders straight from the platform: Shopify's and WooCommerce's own
//! webhook deliveries, verified by their signature and mapped to what the
//! loyalty program does with them ([`Action`]). Parsing only; the server
//! applies the actions.
//!
//! Both platforms sign the raw body: base64 of HMAC-SHA256 with the
//! secret the merchant set for the platform ([`verify`]). Money arrives as
//! decimal strings and becomes minor units exactly
//! ([`crate::currency::parse_amount`]). The platform's customer id is the
//! member, as it is (the merchant's storefront signs that id for the
//! widget); an order without a customer is a guest's and earns nothing.

pub mod shopify;
pub mod woocommerce;

use crate::identity::CustomerId;
use crate::requests::{LineItem, OrderRequest};
use crate::Error;
use base64::Engine;
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;

/// A platform Lojal takes deliveries from, named as in the URL.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Platform {
    Shopify,
    WooCommerce,
}

impl Platform {
    pub const ALL: [Platform; 2] = [Platform::Shopify, Platform::WooCommerce];

    pub fn as_str(self) -> &'static str {
        match self {
            Platform::Shopify => "shopify",
            Platform::WooCommerce => "woocommerce",
        }
    }

    /// How people write it.
    pub fn title(self) -> &'static str {
        match self {
            Platform::Shopify => "Shopify",
            Platform::WooCommerce => "WooCommerce",
        }
    }
}

/// Whether `signature` (base64, as in `X-Shopify-Hmac-Sha256` and
/// `X-WC-Webhook-Signature`) is the HMAC-SHA256 of `body` under `secret`,
/// compared in constant time.
pub fn verify(secret: &str, body: &[u8], signature: &str) -> bool {
    let Ok(expected) = base64::engine::general_purpose::STANDARD.decode(signature.trim()) else {
        return false;
    };
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(secret.as_bytes()) else {
        return false;
    };
    mac.update(body);
    mac.verify_slice(&expected).is_ok()
}

/// The signature a platform sends for `body` (for tests and tools).
pub fn sign(secret: &str, body: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes any key length");
    mac.update(body);
    base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
}

/// An order as a platform reported it, in Lojal's terms.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlatformOrder {
    /// The platform's order id, as it is.
    pub id: String,
    /// The platform's customer id; `None` for a guest.
    pub customer: Option<CustomerId>,
    /// Minor units.
    pub total: i64,
    pub currency: String,
    pub items: Vec<LineItem>,
    /// The order's discount codes that are Lojal codes, canonical, each once.
    pub codes: Vec<String>,
    /// RFC 3339, when the order was placed.
    pub created_at: Option<String>,
}

impl PlatformOrder {
    /// The checks of `POST .../orders`: ids, amounts within bounds, the
    /// shop's currency, at most 500 lines of 1 to 10,000 each.
    fn check(&self, shop_currency: &str) -> Result<(), Error> {
        let request = OrderRequest {
            id: self.id.clone(),
            customer: Some(self.customer.clone().unwrap_or_else(|| CustomerId::parse("guest").expect("a valid id"))),
            email_hash: None,
            total: self.total,
            currency: self.currency.clone(),
            items: self.items.clone(),
            referral_code: None,
            created_at: None,
            codes: self.codes.clone(),
            shipping: 0,
            tax: 0,
            discount: 0,
        };
        request.validate(shop_currency)
    }
}

/// What a delivery asks of the loyalty program.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// A paid order: it earns (once: ingestion is idempotent by order id).
    Earn(PlatformOrder),
    /// Money given back: `amount` minor units, all that is left when `None`;
    /// `refund_id` makes a redelivery apply it once.
    Refund { order_id: String, refund_id: Option<String>, amount: Option<i64> },
    /// The order is cancelled (or deleted): all that is left of it is
    /// refunded, once.
    Cancel { order_id: String },
    /// The shop's customer asked to be forgotten.
    Redact { customer: CustomerId },
    /// The shop's customer asked for their data.
    DataRequest { customer: CustomerId },
    /// Nothing to do; says why.
    Ignore(String),
}

/// The answer to a delivery (`200`): what was done with it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeliveryReply {
    /// `earned`, `guest_order`, `refunded`, `cancelled`, `erased`,
    /// `data_request_noted`, `ping` or `ignored`.
    pub result: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub order_id: Option<String>,
    /// Points the order earned (on its first delivery and every redelivery).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub points_awarded: Option<i64>,
    /// Why nothing (more) was done, for `ignored`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// `"{id}"` of a platform's numeric id.
fn id_text(id: u64) -> String {
    id.to_string()
}

/// The member for a platform's customer id (`None` for a guest).
fn member(id: Option<u64>) -> Result<Option<CustomerId>, Error> {
    match id {
        None | Some(0) => Ok(None),
        Some(id) => CustomerId::parse(&id.to_string()).map(Some),
    }
}

/// The Lojal codes among an order's discount codes, canonical, each once.
fn lojal_codes<'a>(typed: impl Iterator<Item = &'a str>) -> Vec<String> {
    let mut codes: Vec<String> = typed.filter_map(crate::codes::normalize).collect();
    codes.sort();
    codes.dedup();
    codes
}

/// A delivery's body as JSON of type `T`, or the contract's 422 naming why.
fn parse_json<'a, T: Deserialize<'a>>(platform: Platform, topic: &str, body: &'a [u8]) -> Result<T, Error> {
    serde_json::from_slice(body)
        .map_err(|e| Error::InvalidRequest(format!("the {} `{topic}` delivery does not fit: {e}", platform.title())))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_signature_is_base64_hmac_sha256_of_the_raw_body() {
        let body = br#"{"id":1}"#;
        let signature = sign("hush", body);
        assert!(verify("hush", body, &signature));
        assert!(!verify("hush", br#"{"id":2}"#, &signature), "another body");
        assert!(!verify("other", body, &signature), "another secret");
        assert!(!verify("hush", body, ""), "none");
        assert!(!verify("hush", body, "not base64!"), "malformed");
        assert!(!verify("hush", body, &signature[..20]), "truncated");
    }

    #[test]
    fn a_known_signature_verifies() {
        // echo -n 'hello' | openssl dgst -sha256 -hmac key -binary | base64
        assert!(verify("key", b"hello", "kwezuRXvtRcf8U2MtV+8x5jGwO8UVtZt7RpqpyOli3s="));
    }

    #[test]
    fn only_lojal_codes_are_kept() {
        let codes = lojal_codes(["SUMMER10", "loj-k7qx-2m4p", "LOJK7QX2M4P", "LOJ-0000"].into_iter());
        assert_eq!(codes, vec!["LOJ-K7QX-2M4P".to_owned()]);
    }
}
