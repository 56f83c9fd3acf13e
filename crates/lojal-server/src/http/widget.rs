//! `GET /v1/shops/{shop}/widget`: everything the widget draws, in one body.

use super::auth::{Claims, Shopper};
use super::json::Json;
use super::AppState;
use crate::app::widget_view::{widget_view, Visit};
use crate::clock;
use crate::error::Result;
use axum::extract::Query;
use axum::extract::State;
use lojal_core::api::WidgetData;
use lojal_core::guest::EmailHash;
use lojal_core::words::Lang;
use serde::Deserialize;

#[derive(Debug, Deserialize)]
pub struct WidgetQuery {
    /// The shopper's language, for the sentences the server writes
    /// (recommendation reasons, nudges); the shop's own by default.
    locale: Option<String>,
    /// The sku of the product page the widget is on: its picks start from
    /// it, for a guest as for a member.
    product: Option<String>,
}

pub async fn get(
    State(state): State<AppState>,
    shopper: Shopper,
    Query(query): Query<WidgetQuery>,
) -> Result<Json<WidgetData>> {
    let shop = &shopper.shop;
    let now = clock::now();
    let visit = Visit {
        shop,
        customer: shopper.customer.as_ref(),
        guest: signed_guest(&shopper.claims, shop, now),
        lang: Lang::parse(query.locale.as_deref().unwrap_or(&shop.locale)),
        // A malformed sku is no product page, not an error: the rest shows.
        product: query.product.as_deref().filter(|sku| lojal_core::requests::check_external_id("product", sku).is_ok()),
    };
    Ok(Json(widget_view(&state.db, &state.models, &state.views, &visit, now).await?))
}

/// The guest's email hash the shop signed for this page
/// (`X-Lojal-Guest-Email-Hash`, `-Ts`, `-Sig`, or `guest_email_hash`,
/// `guest_ts`, `guest_sig` in the query string; `lojal_core::identity::sign_guest`),
/// if fresh and right. Anything else is no hash: it only ever shows the
/// pending points, so an unsigned hash must reveal nothing.
fn signed_guest(claims: &Claims, shop: &crate::store::shops::Shop, now: i64) -> Option<EmailHash> {
    let claim = claims.guest.as_ref()?;
    lojal_core::identity::verify_guest(&shop.secret, &shop.id, &claim.subject, claim.ts()?, &claim.sig, now).ok()
}
