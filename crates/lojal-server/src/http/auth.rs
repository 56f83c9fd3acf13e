//! Who is calling: a merchant's back end (the shop secret as a bearer
//! token) or a shopper (the merchant-signed identity, in headers or, on a
//! `GET`, in the query string).

use super::AppState;
use crate::clock;
use crate::error::{Error, Result};
use crate::store::shops::Shop;
use axum::extract::{FromRequestParts, Path, Query};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, Method};
use lojal_core::identity::{self, CustomerId};
use serde::Deserialize;
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
    /// What the request says of itself, signature unchecked: for the
    /// guest's signed email hash, which only the widget's read checks.
    pub claims: Claims,
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
        let claims = Claims::of(parts);
        let customer = claims.customer.as_ref().and_then(|claim| signed_customer(&shop, claim));
        // Per customer only once the signature holds: a forger must not be
        // able to use up a real customer's allowance.
        if let Some(customer) = &customer {
            state.limits.check_customer(&shop.id, customer.as_str())?;
        }
        Ok(Shopper { shop, customer, claims })
    }
}

/// The headers of the signed identity (CONTRACT.md section 3).
pub const CUSTOMER_HEADERS: [&str; 3] = ["x-lojal-customer", "x-lojal-ts", "x-lojal-sig"];
/// The headers of a guest's signed email hash (`lojal_core::identity::sign_guest`).
pub const GUEST_HEADERS: [&str; 3] = ["x-lojal-guest-email-hash", "x-lojal-guest-ts", "x-lojal-guest-sig"];

/// Something signed by the shop, as the request carries it: who (a
/// customer id or a guest's email hash), when, and the signature.
pub struct Claim {
    pub subject: String,
    pub ts: String,
    pub sig: String,
}

impl Claim {
    /// `ts` as Unix seconds; `None` when it is not a number.
    pub fn ts(&self) -> Option<i64> {
        self.ts.parse().ok()
    }
}

/// The signed identities a shopper's request carries, in headers or, on a
/// `GET`, in the query string ([`IdentityQuery`]). Headers win when both
/// are there; an incomplete set of either is none.
#[derive(Default)]
pub struct Claims {
    pub customer: Option<Claim>,
    pub guest: Option<Claim>,
}

/// The query string's names for the identity. A `GET` carrying them needs
/// no CORS preflight, where the headers need one for every member.
#[derive(Default, Deserialize)]
struct IdentityQuery {
    customer: Option<String>,
    ts: Option<String>,
    sig: Option<String>,
    guest_email_hash: Option<String>,
    guest_ts: Option<String>,
    guest_sig: Option<String>,
}

impl Claims {
    fn of(parts: &Parts) -> Claims {
        // Only reads: a write's body needs a preflight anyway, and keeping
        // signatures out of writes' URLs keeps them out of more logs.
        let query = if parts.method == Method::GET {
            // A query this cannot read (a name twice, say) holds no identity.
            Query::<IdentityQuery>::try_from_uri(&parts.uri).map(|Query(q)| q).unwrap_or_default()
        } else {
            IdentityQuery::default()
        };
        let customer =
            from_headers(&parts.headers, CUSTOMER_HEADERS).or_else(|| claim(query.customer, query.ts, query.sig));
        let guest = from_headers(&parts.headers, GUEST_HEADERS)
            .or_else(|| claim(query.guest_email_hash, query.guest_ts, query.guest_sig));
        Claims { customer, guest }
    }
}

fn from_headers(headers: &HeaderMap, names: [&str; 3]) -> Option<Claim> {
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok()).map(str::to_owned);
    claim(header(names[0]), header(names[1]), header(names[2]))
}

fn claim(subject: Option<String>, ts: Option<String>, sig: Option<String>) -> Option<Claim> {
    Some(Claim { subject: subject?, ts: ts?, sig: sig? })
}

/// The customer of a valid signed identity; `None` for one that is
/// malformed, stale or forged (CONTRACT.md section 3: a guest for reads).
fn signed_customer(shop: &Shop, claim: &Claim) -> Option<CustomerId> {
    let ts = claim.ts()?;
    match identity::verify(&shop.secret, &shop.id, &claim.subject, ts, &claim.sig, clock::now()) {
        Ok(id) => Some(id),
        Err(reason) => {
            tracing::debug!(shop = %shop.id, %reason, "identity refused; treating as a guest");
            None
        }
    }
}
