//! `PUT /v1/shops/{shop}/birthday` `{"month", "day"}`: the shopper sets
//! their birthday, once.

use super::auth::Shopper;
use super::json::Json;
use super::AppState;
use crate::clock;
use crate::error::Result;
use crate::store::{birthdays, members};
use axum::extract::State;
use axum::http::StatusCode;
use lojal_core::birthday::Birthday;

pub async fn put(
    State(state): State<AppState>,
    shopper: Shopper,
    Json(birthday): Json<Birthday>,
) -> Result<StatusCode> {
    let customer = shopper.signed_in()?;
    let mut tx = state.db.begin_write().await?;
    members::ensure(&mut tx, &shopper.shop.id, &shopper.shop.program, customer).await?;
    birthdays::set(&mut tx, &shopper.shop.id, customer.as_str(), birthday, clock::now()).await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}
