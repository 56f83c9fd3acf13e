//! `POST /v1/shops/{shop}/customers/{customer}/guest-points`: a shopper
//! joins (or signs in for the first time) and the merchant's back end names
//! the email hash their guest orders carried; the points still pending for
//! it are credited to them, once.

use super::auth::Merchant;
use super::json::Json;
use super::AppState;
use crate::clock;
use crate::error::Result;
use crate::store::{guest_points, ledger, members};
use axum::extract::{Path, State};
use lojal_core::api::GuestClaimReply;
use lojal_core::identity::CustomerId;
use lojal_core::requests::GuestClaimRequest;

pub async fn claim(
    State(state): State<AppState>,
    Merchant(shop): Merchant,
    Path((_shop, customer)): Path<(String, String)>,
    Json(request): Json<GuestClaimRequest>,
) -> Result<Json<GuestClaimReply>> {
    let customer = CustomerId::parse(&customer)?;
    let now = clock::now();
    let mut tx = state.db.begin_write().await?;
    members::ensure(&mut tx, &shop.id, &shop.program, &customer).await?;
    let credited =
        guest_points::claim(&mut tx, &shop.id, &shop.program, customer.as_str(), &request.email_hash, now).await?;
    let points = ledger::balance(&mut tx, &shop.id, customer.as_str()).await?;
    tx.commit().await?;
    Ok(Json(GuestClaimReply { points_credited: credited, points }))
}
