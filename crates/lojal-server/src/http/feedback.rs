//! `POST /v1/shops/{shop}/feedback`: a member's 0-10 answer about an order.

use super::auth::Shopper;
use super::json::Json;
use super::AppState;
use crate::app::feedback;
use crate::clock;
use crate::error::Result;
use axum::extract::State;
use axum::http::StatusCode;
use lojal_core::feedback::{FeedbackReply, FeedbackRequest};

pub async fn create(
    State(state): State<AppState>,
    shopper: Shopper,
    Json(request): Json<FeedbackRequest>,
) -> Result<(StatusCode, Json<FeedbackReply>)> {
    let customer = shopper.signed_in()?;
    let reply = feedback::answer(&state.db, &shopper.shop, customer, &request, clock::now()).await?;
    Ok((StatusCode::CREATED, Json(reply)))
}
