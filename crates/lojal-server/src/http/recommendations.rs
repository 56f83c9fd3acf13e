//! `POST /v1/shops/{shop}/recommendations/clicks`: a signed-in member
//! clicked a pick (the widget sends it). Rate-limited per member like every
//! shopper write (the `Shopper` extractor); counted in the merchant's
//! metrics beside the picks shown and the orders they led to.

use super::auth::Shopper;
use super::json::Json;
use super::AppState;
use crate::app::record_click;
use crate::clock;
use crate::error::Result;
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
    record_click::record(&state.db, &shopper.shop.id, customer.as_str(), &body.sku, clock::now()).await?;
    Ok(StatusCode::NO_CONTENT)
}
