//! `PUT /v1/shops/{shop}/products`: the whole catalogue.

use super::auth::Merchant;
use super::json::Json;
use super::AppState;
use crate::error::Result;
use crate::store::products;
use axum::extract::State;
use lojal_core::api::ProductsReply;
use lojal_core::requests::{validate_catalogue, ProductRequest};

pub async fn put(
    State(state): State<AppState>,
    Merchant(shop): Merchant,
    Json(catalogue): Json<Vec<ProductRequest>>,
) -> Result<Json<ProductsReply>> {
    validate_catalogue(&catalogue)?;
    let mut tx = state.db.begin_write().await?;
    products::replace(&mut tx, &shop.id, &catalogue).await?;
    let count = products::count(&mut tx, &shop.id).await?;
    tx.commit().await?;
    Ok(Json(ProductsReply { products: count }))
}
