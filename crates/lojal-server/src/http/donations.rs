//! `POST /v1/shops/{shop}/donations`: a member gives points to the cause.

use super::auth::Shopper;
use super::json::Json;
use super::AppState;
use crate::clock;
use crate::error::{Error, Result};
use crate::store::{donations, ledger, members};
use axum::extract::State;
use axum::http::StatusCode;
use lojal_core::donation::{DonationReply, DonationRequest};

pub async fn create(
    State(state): State<AppState>,
    shopper: Shopper,
    Json(request): Json<DonationRequest>,
) -> Result<(StatusCode, Json<DonationReply>)> {
    let customer = shopper.signed_in()?;
    request.validate()?;
    let program = &shopper.shop.program;
    let donation = program.donation.as_ref().ok_or(Error::NotFound)?;
    let shop = &shopper.shop.id;
    let mut tx = state.db.begin_write().await?;
    members::ensure(&mut tx, shop, program, customer).await?;
    let gift =
        donations::give(&mut tx, shop, program, donation, customer.as_str(), request.gifts, clock::now()).await?;
    let points = ledger::balance(&mut tx, shop, customer.as_str()).await?;
    let total = donations::total(&mut tx, shop).await?;
    tx.commit().await?;
    Ok((
        StatusCode::CREATED,
        Json(DonationReply { points_spent: gift.points_spent, amount: gift.amount, points, total }),
    ))
}
