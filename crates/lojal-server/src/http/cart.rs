//! `PUT /v1/shops/{shop}/cart`: what the signed-in shopper has in their cart.

use super::auth::Shopper;
use super::json::Json;
use super::AppState;
use crate::app::cart;
use crate::clock;
use crate::error::Result;
use axum::extract::State;
use axum::http::StatusCode;
use lojal_core::requests::CartRequest;

pub async fn put(
    State(state): State<AppState>,
    shopper: Shopper,
    Json(request): Json<CartRequest>,
) -> Result<StatusCode> {
    let customer = shopper.signed_in()?;
    cart::put(&state.db, &shopper.shop, customer, &request, clock::now()).await?;
    Ok(StatusCode::NO_CONTENT)
}
