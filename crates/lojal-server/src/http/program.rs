//! `PUT /v1/shops/{shop}/program`: the merchant's loyalty program.

use super::auth::Merchant;
use super::json::Json;
use super::AppState;
use crate::app::set_program;
use crate::error::Result;
use axum::extract::State;
use lojal_core::program::Program;

pub async fn put(
    State(state): State<AppState>,
    Merchant(shop): Merchant,
    Json(program): Json<Program>,
) -> Result<Json<Program>> {
    set_program::set(&state.db, &shop, &program).await?;
    state.shops.forget(&shop.id);
    Ok(Json(program))
}
