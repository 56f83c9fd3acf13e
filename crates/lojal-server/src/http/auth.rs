//! Who is calling: a merchant's back end (the shop secret as a bearer
//! token) or a shopper (the merchant-signed identity headers).

use super::AppState;
use crate::clock;
use crate::error::{Error, Result};
use crate::store::shops::Shop;
use axum::extract::{FromRequestParts, Path};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap};
use lojal_core::identity::{self, CustomerId};
use std::collections::HashMap;
use subtle::ConstantTimeEq;

/// The shop named in the path (`/v1/shops/{shop}/...`), or the contract's 404.
async fn shop_in_path(parts: &mut Parts, state: &AppState) -> Result<Shop> {
    let Path(params) =
        Path::<HashMap<String, String>>::from_request_parts(parts, state).await.map_err(|_| Error::NotFound)?;
    let id = params.get("shop").ok_or(Error::NotFound)?;
    Ok(Shop::clone(&*state.shops.get(&state.db, id).await?))
}

/// A request from the shop's own back end.
pub struct Merchant(pub Shop);

impl FromRequestParts<AppState> for Merchant {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self> {
        let shop = shop_in_path(parts, state).await?;
        let token = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .ok_or(Error::Unauthorized)?;
        // Constant time, so timing does not tell how much of a guess was right.
        if bool::from(token.as_bytes().ct_eq(shop.secret.as_bytes())) {
            Ok(Merchant(shop))
        } else {
            Err(Error::Unauthorized)
        }
    }
}

/// A shopper's request: the shop, and the customer if the signature holds.
pub struct Shopper {
    pub shop: Shop,
    pub customer: Option<CustomerId>,
}

impl Shopper {
    /// The signed-in customer, or the contract's 401 for writes by a guest.
    pub fn signed_in(&self) -> Result<&CustomerId> {
        self.customer.as_ref().ok_or(Error::NotSignedIn)
    }
}

impl FromRequestParts<AppState> for Shopper {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self> {
        let shop = shop_in_path(parts, state).await?;
        let customer = signed_customer(&shop, &parts.headers);
        // Per customer only once the signature holds: a forger must not be
        // able to use up a real customer's allowance.
        if let Some(customer) = &customer {
            state.limits.check_customer(&shop.id, customer.as_str())?;
        }
        Ok(Shopper { shop, customer })
    }
}

/// The customer of valid identity headers; `None` for no headers, or
/// headers that are malformed, stale or forged.
fn signed_customer(shop: &Shop, headers: &HeaderMap) -> Option<CustomerId> {
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    let customer = header("x-lojal-customer")?;
    let ts = header("x-lojal-ts")?.parse::<i64>().ok()?;
    let sig = header("x-lojal-sig")?;
    match identity::verify(&shop.secret, &shop.id, customer, ts, sig, clock::now()) {
        Ok(id) => Some(id),
        Err(reason) => {
            tracing::debug!(shop = %shop.id, %reason, "identity refused; treating as a guest");
            None
        }
    }
}
