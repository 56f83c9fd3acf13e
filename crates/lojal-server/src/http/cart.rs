//! `PUT /v1/shops/{shop}/cart`: what the signed-in shopper has in their cart.

use super::auth::Shopper;
use super::json::Json;
use super::AppState;
use crate::clock;
use crate::error::Result;
use crate::store::{carts, members};
use axum::extract::State;
use axum::http::StatusCode;
use lojal_core::requests::CartRequest;

pub async fn put(State(state): State<AppState>, shopper: Shopper, Json(cart): Json<CartRequest>) -> Result<StatusCode> {
    let customer = shopper.signed_in()?;
    cart.validate()?;
    let mut tx = state.db.begin_write().await?;
    members::ensure(&mut tx, &shopper.shop.id, &shopper.shop.program, customer).await?;
    carts::put(&mut tx, &shopper.shop.id, customer.as_str(), &cart.items, clock::now()).await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}
