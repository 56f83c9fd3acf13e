//! `POST /v1/shops/{shop}/redemptions`: points into a discount code.

use super::auth::Shopper;
use super::json::Json;
use super::AppState;
use crate::app::redeem;
use crate::clock;
use crate::error::Result;
use axum::extract::State;
use axum::http::StatusCode;
use lojal_core::api::RedemptionReply;
use lojal_core::requests::RedemptionRequest;

pub async fn create(
    State(state): State<AppState>,
    shopper: Shopper,
    Json(request): Json<RedemptionRequest>,
) -> Result<(StatusCode, Json<RedemptionReply>)> {
    let customer = shopper.signed_in()?;
    let redemption = redeem::redeem(&state.db, &shopper.shop, customer, &request, clock::now()).await?;
    Ok((
        StatusCode::CREATED,
        Json(RedemptionReply {
            code: redemption.code,
            reward_id: request.reward_id,
            points_spent: redemption.points_spent,
            points: redemption.points,
        }),
    ))
}
