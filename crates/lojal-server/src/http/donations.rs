//! `POST /v1/shops/{shop}/donations`: a member gives points to the cause.

use super::auth::Shopper;
use super::json::Json;
use super::AppState;
use crate::app::donate;
use crate::clock;
use crate::error::Result;
use axum::extract::State;
use axum::http::StatusCode;
use lojal_core::donation::{DonationReply, DonationRequest};

pub async fn create(
    State(state): State<AppState>,
    shopper: Shopper,
    Json(request): Json<DonationRequest>,
) -> Result<(StatusCode, Json<DonationReply>)> {
    let customer = shopper.signed_in()?;
    let reply = donate::donate(&state.db, &shopper.shop, customer, &request, clock::now()).await?;
    Ok((StatusCode::CREATED, Json(reply)))
}
