//! `POST /v1/shops/{shop}/feedback`: a member's 0-10 answer about an order.

use super::auth::Shopper;
use super::json::Json;
use super::AppState;
use crate::clock;
use crate::error::{Error, Result};
use crate::store::{feedback, ledger, members};
use axum::extract::State;
use axum::http::StatusCode;
use lojal_core::feedback::{FeedbackReply, FeedbackRequest};

pub async fn create(
    State(state): State<AppState>,
    shopper: Shopper,
    Json(request): Json<FeedbackRequest>,
) -> Result<(StatusCode, Json<FeedbackReply>)> {
    let customer = shopper.signed_in()?;
    request.validate()?;
    // A shop that does not ask does not take answers.
    let rules = shopper.shop.program.feedback.ok_or(Error::NotFound)?;
    let shop = &shopper.shop.id;
    let mut tx = state.db.begin_write().await?;
    members::ensure(&mut tx, shop, &shopper.shop.program, customer).await?;
    let points_awarded =
        feedback::answer(&mut tx, shop, &shopper.shop.program, &rules, customer.as_str(), &request, clock::now())
            .await?;
    let points = ledger::balance(&mut tx, shop, customer.as_str()).await?;
    tx.commit().await?;
    Ok((StatusCode::CREATED, Json(FeedbackReply { points_awarded, points })))
}
