//! The demo storefront's checkout: what a merchant's back end does with a
//! Lojal code. The cart page sends the code the shopper pasted; this back
//! end, which holds the shop's secret, asks Lojal about it (`GET
//! .../codes/{code}`), works out the discount on its own prices, and places
//! the order with the code (`POST .../orders` with `codes`), which Lojal
//! marks used in the order's own transaction.
//!
//! It calls the real HTTP API with the shop's bearer secret, as a
//! merchant's server would, only in-process: each request goes through
//! Lojal's router (`app()`) without a socket. The shopper is the one the
//! storefront signed on the page: the page hands back that signature, and
//! nothing here trusts a customer id it did not sign itself.

use super::DEMO_SHOP;
use crate::clock;
use crate::db::Db;
use crate::http::{app, AppState};
use crate::store::shops::{self, Shop};
use axum::body::Body;
use axum::extract::State;
use axum::http::{header, Method, Request, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use lojal_core::api::{CodeView, OrderReply};
use lojal_core::codes::{self, CodeStatus};
use lojal_core::identity;
use lojal_core::program::RewardKind;
use lojal_core::requests::LineItem;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use std::sync::Arc;
use tower::ServiceExt;

/// What the shop sells on the demo's cart page: SKU and unit price (öre).
/// The page shows the same cart; the prices that count are these, never
/// the page's.
const PRICES: &[(&str, i64)] = &[("whole-milk", 1490), ("coffee", 7990), ("beef", 14900)];

/// The most of one thing a cart may hold.
const MAX_QTY: i64 = 99;

struct Checkout {
    db: Db,
    /// Lojal's API, as the merchant's back end reaches it.
    api: Router,
}

/// The checkout's routes, on the storefront's origin.
pub fn routes(db: Db) -> Router {
    let api = app(AppState::new(db.clone(), None));
    Router::new()
        .route("/checkout/code", post(check_code))
        .route("/checkout/order", post(place_order))
        .with_state(Arc::new(Checkout { db, api }))
}

/// The signature the storefront put on the page (`data-customer`,
/// `data-customer-ts`, `data-customer-sig`), handed back: the demo's
/// stand-in for a merchant's session cookie.
#[derive(Debug, Deserialize)]
struct Shopper {
    customer: String,
    ts: i64,
    sig: String,
}

#[derive(Debug, Deserialize)]
struct CartLine {
    sku: String,
    qty: i64,
}

#[derive(Debug, Deserialize)]
struct CheckoutRequest {
    shopper: Option<Shopper>,
    #[serde(default)]
    items: Vec<CartLine>,
    /// As the shopper typed it.
    #[serde(default)]
    code: Option<String>,
}

/// The code on this cart: what it is and what it takes off.
#[derive(Debug, Serialize)]
struct Applied {
    code: String,
    title: String,
    kind: RewardKind,
    value: i64,
    subtotal: i64,
    discount: i64,
    total: i64,
    currency: String,
}

#[derive(Debug, Serialize)]
struct Placed {
    order_id: String,
    subtotal: i64,
    discount: i64,
    total: i64,
    currency: String,
    code: Option<String>,
    points_awarded: i64,
    points: i64,
}

/// A refusal the page shows as it is: `code` for scripts, `message` in words.
#[derive(Debug)]
struct Refusal {
    status: StatusCode,
    code: &'static str,
    message: String,
}

impl Refusal {
    fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Refusal {
        Refusal { status, code, message: message.into() }
    }

    fn broken(what: impl std::fmt::Display) -> Refusal {
        tracing::warn!("storefront checkout: {what}");
        Refusal::new(StatusCode::BAD_GATEWAY, "checkout_failed", "Something went wrong at checkout. Please try again.")
    }

    /// Why a code cannot be used, in the shopper's words.
    fn code(code: &'static str) -> Refusal {
        let (status, message) = match code {
            "code_used" => (StatusCode::CONFLICT, "That code has already been used."),
            "code_void" => (StatusCode::CONFLICT, "That code was cancelled and cannot be used."),
            "code_expired" => (StatusCode::CONFLICT, "That code has expired."),
            _ => (StatusCode::NOT_FOUND, "We do not recognise that code. Check it and try again."),
        };
        Refusal::new(status, code, message)
    }
}

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        (self.status, Json(json!({"error": {"code": self.code, "message": self.message}}))).into_response()
    }
}

type Reply<T> = std::result::Result<Json<T>, Refusal>;

/// `POST /checkout/code`: the code the shopper pasted, checked with Lojal,
/// and what it does to this cart.
async fn check_code(State(checkout): State<Arc<Checkout>>, Json(request): Json<CheckoutRequest>) -> Reply<Applied> {
    let shop = checkout.shop().await?;
    checkout.shopper(&shop, request.shopper.as_ref())?;
    let items = priced(&request.items)?;
    let Some(typed) = request.code.as_deref().filter(|c| !c.trim().is_empty()) else {
        return Err(Refusal::new(StatusCode::BAD_REQUEST, "code_missing", "Enter a code first."));
    };
    let code = checkout.code(&shop, typed).await?;
    Ok(Json(applied(&code, subtotal(&items))))
}

/// `POST /checkout/order`: the order placed with Lojal, with its code if
/// one was applied, at the total after the discount.
async fn place_order(State(checkout): State<Arc<Checkout>>, Json(request): Json<CheckoutRequest>) -> Reply<Placed> {
    let shop = checkout.shop().await?;
    let customer = checkout.shopper(&shop, request.shopper.as_ref())?;
    let items = priced(&request.items)?;
    let subtotal = subtotal(&items);
    let applied = match request.code.as_deref().filter(|c| !c.trim().is_empty()) {
        Some(typed) => Some(applied(&checkout.code(&shop, typed).await?, subtotal)),
        None => None,
    };
    let (discount, total) = applied.as_ref().map_or((0, subtotal), |a| (a.discount, a.total));
    let order_id = format!("web-{}-{:08x}", clock::now(), rand::random::<u32>());
    let body = json!({
        "id": order_id,
        "customer": customer,
        "total": total,
        "currency": shop.currency,
        "items": items,
        "codes": applied.iter().map(|a| a.code.as_str()).collect::<Vec<_>>(),
    });
    let (status, reply) =
        checkout.lojal(&shop, Method::POST, &format!("/v1/shops/{}/orders", shop.id), Some(body)).await?;
    if !status.is_success() {
        return Err(refusal_of(status, &reply));
    }
    let reply: OrderReply = serde_json::from_value(reply).map_err(Refusal::broken)?;
    Ok(Json(Placed {
        order_id,
        subtotal,
        discount,
        total,
        currency: shop.currency.clone(),
        code: applied.map(|a| a.code),
        points_awarded: reply.points_awarded,
        points: reply.points,
    }))
}

impl Checkout {
    async fn shop(&self) -> std::result::Result<Shop, Refusal> {
        shops::get(&self.db, DEMO_SHOP).await.map_err(Refusal::broken)
    }

    /// The customer the storefront signed on the page, if the signature is
    /// ours and fresh.
    fn shopper(&self, shop: &Shop, shopper: Option<&Shopper>) -> std::result::Result<String, Refusal> {
        let signed_out =
            || Refusal::new(StatusCode::UNAUTHORIZED, "sign_in", "Sign in to use your rewards at checkout.");
        let shopper = shopper.ok_or_else(signed_out)?;
        identity::verify(&shop.secret, &shop.id, &shopper.customer, shopper.ts, &shopper.sig, clock::now())
            .map(|customer| customer.as_str().to_owned())
            .map_err(|_| signed_out())
    }

    /// `GET .../codes/{code}`: the code if it can be used now; otherwise
    /// why not.
    async fn code(&self, shop: &Shop, typed: &str) -> std::result::Result<CodeView, Refusal> {
        // What cannot be one of Lojal's codes is not asked about; what can
        // is URL-safe as it is.
        let canonical = codes::normalize(typed).ok_or_else(|| Refusal::code("code_not_found"))?;
        let path = format!("/v1/shops/{}/codes/{canonical}", shop.id);
        let (status, reply) = self.lojal(shop, Method::GET, &path, None).await?;
        if !status.is_success() {
            return Err(refusal_of(status, &reply));
        }
        let code: CodeView = serde_json::from_value(reply).map_err(Refusal::broken)?;
        match code.status {
            CodeStatus::Active => Ok(code),
            CodeStatus::Used => Err(Refusal::code("code_used")),
            CodeStatus::Void => Err(Refusal::code("code_void")),
            CodeStatus::Expired => Err(Refusal::code("code_expired")),
        }
    }

    /// One request to Lojal's API with the shop's secret; its status and
    /// JSON body (`null` when there is none).
    async fn lojal(
        &self,
        shop: &Shop,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> std::result::Result<(StatusCode, Value), Refusal> {
        let mut request = Request::builder()
            .method(method)
            .uri(path)
            .header(header::AUTHORIZATION, format!("Bearer {}", shop.secret));
        let body = match body {
            Some(body) => {
                request = request.header(header::CONTENT_TYPE, "application/json");
                Body::from(body.to_string())
            }
            None => Body::empty(),
        };
        let request = request.body(body).map_err(Refusal::broken)?;
        let response = match self.api.clone().oneshot(request).await {
            Ok(response) => response,
            Err(never) => match never {},
        };
        let status = response.status();
        let bytes = axum::body::to_bytes(response.into_body(), 1 << 20).await.map_err(Refusal::broken)?;
        let json = if bytes.is_empty() { Value::Null } else { serde_json::from_slice(&bytes).unwrap_or(Value::Null) };
        Ok((status, json))
    }
}

/// Lojal's refusal (`{"error": {"code", "message"}}`) in the shopper's
/// words where it is about the code; anything else is the checkout's fault.
fn refusal_of(status: StatusCode, reply: &Value) -> Refusal {
    match reply.pointer("/error/code").and_then(Value::as_str) {
        Some("code_not_found") => Refusal::code("code_not_found"),
        Some("code_used") => Refusal::code("code_used"),
        Some("code_void") => Refusal::code("code_void"),
        Some("code_expired") => Refusal::code("code_expired"),
        other => Refusal::broken(format!("Lojal answered {status} ({})", other.unwrap_or("no error code"))),
    }
}

/// The cart at the shop's own prices; an unknown SKU or quantity refused.
fn priced(lines: &[CartLine]) -> std::result::Result<Vec<LineItem>, Refusal> {
    if lines.is_empty() {
        return Err(Refusal::new(StatusCode::BAD_REQUEST, "cart_empty", "Your cart is empty."));
    }
    lines
        .iter()
        .map(|line| {
            let (_, price) = PRICES.iter().find(|(sku, _)| *sku == line.sku).ok_or_else(|| {
                Refusal::new(StatusCode::BAD_REQUEST, "unknown_item", "Something in your cart is no longer sold.")
            })?;
            if !(1..=MAX_QTY).contains(&line.qty) {
                return Err(Refusal::new(StatusCode::BAD_REQUEST, "bad_quantity", "A quantity in your cart is wrong."));
            }
            Ok(LineItem { sku: line.sku.clone(), qty: line.qty, price: *price })
        })
        .collect()
}

fn subtotal(items: &[LineItem]) -> i64 {
    items.iter().map(|i| i.qty * i.price).sum()
}

fn applied(code: &CodeView, subtotal: i64) -> Applied {
    let discount = discount(code.kind, code.value, subtotal);
    Applied {
        code: code.code.clone(),
        title: code.title.clone(),
        kind: code.kind,
        value: code.value,
        subtotal,
        discount,
        total: (subtotal - discount).max(0),
        currency: code.currency.clone(),
    }
}

/// What a code takes off a cart of `subtotal` (minor units): a fixed amount
/// at most the cart; a percent of it, rounded half up; a free product or
/// free shipping nothing off the goods (the shop adds the product or drops
/// the shipping).
fn discount(kind: RewardKind, value: i64, subtotal: i64) -> i64 {
    let subtotal = subtotal.max(0);
    let off = match kind {
        RewardKind::FixedDiscount | RewardKind::PointsOff => value,
        RewardKind::PercentDiscount => (subtotal.saturating_mul(value.clamp(0, 100)) + 50) / 100,
        RewardKind::FreeProduct | RewardKind::FreeShipping => 0,
    };
    off.clamp(0, subtotal)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_discount_never_takes_the_cart_below_nothing() {
        assert_eq!(discount(RewardKind::FixedDiscount, 5000, 41_850), 5000);
        assert_eq!(discount(RewardKind::FixedDiscount, 5000, 3000), 3000);
        assert_eq!(discount(RewardKind::PercentDiscount, 10, 41_850), 4185);
        assert_eq!(discount(RewardKind::PercentDiscount, 10, 41_855), 4186);
        assert_eq!(discount(RewardKind::PercentDiscount, 150, 1000), 1000);
        assert_eq!(discount(RewardKind::FreeShipping, 0, 41_850), 0);
        assert_eq!(discount(RewardKind::FreeProduct, 0, 41_850), 0);
    }

    #[test]
    fn the_cart_is_priced_by_the_shop_not_the_page() {
        let lines = vec![CartLine { sku: "coffee".into(), qty: 3 }, CartLine { sku: "beef".into(), qty: 1 }];
        let items = priced(&lines).unwrap();
        assert_eq!(subtotal(&items), 3 * 7990 + 14900);
        assert_eq!(priced(&[CartLine { sku: "caviar".into(), qty: 1 }]).unwrap_err().code, "unknown_item");
        assert_eq!(priced(&[CartLine { sku: "coffee".into(), qty: 0 }]).unwrap_err().code, "bad_quantity");
        assert_eq!(priced(&[]).unwrap_err().code, "cart_empty");
    }
}
