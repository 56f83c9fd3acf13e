//! `PUT /v1/shops/{shop}/birthday` `{"month", "day"}`: the shopper sets
//! their birthday, once.

use super::auth::Shopper;
use super::json::Json;
use super::AppState;
use crate::app::set_birthday;
use crate::clock;
use crate::error::Result;
use axum::extract::State;
use axum::http::StatusCode;
use lojal_core::birthday::Birthday;

pub async fn put(
    State(state): State<AppState>,
    shopper: Shopper,
    Json(birthday): Json<Birthday>,
) -> Result<StatusCode> {
    let customer = shopper.signed_in()?;
    set_birthday::set(&state.db, &shopper.shop, customer, birthday, clock::now()).await?;
    Ok(StatusCode::NO_CONTENT)
}
