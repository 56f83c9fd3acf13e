//! Who the shopper is: the merchant-signed identity headers, checked against
//! the shop's secret. Anything short of a valid signature is a guest.

use crate::clock;
use crate::store::shops::Shop;
use axum::http::HeaderMap;
use lojal_core::identity::{self, CustomerId};

/// The signed-in customer, or `None` for a guest (no headers, or headers
/// that are malformed, stale or forged: reads then show the guest view).
pub fn shopper(shop: &Shop, headers: &HeaderMap) -> Option<CustomerId> {
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    let customer = header("x-lojal-customer")?;
    let ts = header("x-lojal-ts")?.parse::<i64>().ok()?;
    let sig = header("x-lojal-sig")?;
    match identity::verify(&shop.secret, &shop.id, customer, ts, sig, clock::now()) {
        Ok(id) => Some(id),
        Err(reason) => {
            tracing::debug!(shop = %shop.id, %reason, "identity refused; serving the guest view");
            None
        }
    }
}
