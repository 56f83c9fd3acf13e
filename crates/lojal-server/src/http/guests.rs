//! `POST /v1/shops/{shop}/customers/{customer}/guest-points`: a shopper
//! joins (or signs in for the first time) and the merchant's back end names
//! the email hash their guest orders carried; the points still pending for
//! it are credited to them, once.

use super::auth::Merchant;
use super::json::Json;
use super::AppState;
use crate::app::claim_guest_points;
use crate::clock;
use crate::error::Result;
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
    Ok(Json(claim_guest_points::claim(&state.db, &shop, &customer, &request, clock::now()).await?))
}
