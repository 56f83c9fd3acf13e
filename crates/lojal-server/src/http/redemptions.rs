//! `POST /v1/shops/{shop}/redemptions`: points into a discount code.

use super::auth::Shopper;
use super::json::Json;
use super::AppState;
use crate::clock;
use crate::error::{Error, Result};
use crate::store::{members, redemptions};
use axum::extract::State;
use axum::http::StatusCode;
use lojal_core::api::RedemptionReply;
use lojal_core::program::Availability;
use lojal_core::requests::RedemptionRequest;
use lojal_core::tiers;

pub async fn create(
    State(state): State<AppState>,
    shopper: Shopper,
    Json(request): Json<RedemptionRequest>,
) -> Result<(StatusCode, Json<RedemptionReply>)> {
    let customer = shopper.signed_in()?;
    let program = &shopper.shop.program;
    let reward = program.reward(&request.reward_id).ok_or_else(|| Error::UnknownReward(request.reward_id.clone()))?;
    let shop = &shopper.shop.id;
    let mut tx = state.db.begin_write().await?;
    members::ensure(&mut tx, shop, program, customer).await?;
    // Member-only and early-access rewards: checked on the tier held inside
    // the transaction, as the widget only hides what a shopper cannot redeem.
    let lifetime = members::find(&mut tx, shop, customer.as_str()).await?.map_or(0, |m| m.lifetime_points);
    let tier = tiers::tier_for(&program.tiers, lifetime).map(|t| t.id.as_str());
    let now = clock::now();
    if reward.availability(tier, now) == Availability::Hidden {
        return Err(Error::RewardNotAvailable);
    }
    let redemption = redemptions::redeem(&mut tx, shop, program, customer.as_str(), reward, now).await?;
    tx.commit().await?;
    Ok((
        StatusCode::CREATED,
        Json(RedemptionReply {
            code: redemption.code,
            reward_id: reward.id.clone(),
            points_spent: redemption.points_spent,
            points: redemption.points,
        }),
    ))
}
