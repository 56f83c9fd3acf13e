//! `POST /v1/shops/{shop}/recommendations/clicks`: a signed-in member
//! clicked a pick (the widget sends it). Rate-limited per member like every
//! shopper write (the `Shopper` extractor); counted in the merchant's
//! metrics beside the picks shown and the orders they led to.

use super::auth::Shopper;
use super::json::Json;
use super::AppState;
use crate::clock;
use crate::error::{Error, Result};
use crate::store::recommendations;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Click {
    sku: String,
}

pub async fn click(State(state): State<AppState>, shopper: Shopper, Json(body): Json<Click>) -> Result<StatusCode> {
    let customer = shopper.signed_in()?;
    lojal_core::requests::check_external_id("sku", &body.sku).map_err(Error::Invalid)?;
    let mut conn = state.db.pool.acquire().await?;
    recommendations::record_click(&mut conn, &shopper.shop.id, customer.as_str(), &body.sku, clock::now()).await?;
    Ok(StatusCode::NO_CONTENT)
}
