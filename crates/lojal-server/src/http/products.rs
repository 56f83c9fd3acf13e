//! `PUT /v1/shops/{shop}/products`: the whole catalogue.

use super::auth::Merchant;
use super::json::Json;
use super::AppState;
use crate::app::upload_catalogue;
use crate::error::Result;
use axum::extract::State;
use lojal_core::api::ProductsReply;
use lojal_core::requests::ProductRequest;

pub async fn put(
    State(state): State<AppState>,
    Merchant(shop): Merchant,
    Json(catalogue): Json<Vec<ProductRequest>>,
) -> Result<Json<ProductsReply>> {
    let count = upload_catalogue::upload(&state.db, &shop.id, &catalogue).await?;
    Ok(Json(ProductsReply { products: count }))
}
