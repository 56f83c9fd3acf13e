//! `PUT /v1/shops/{shop}/program`: the merchant's loyalty program.

use super::auth::Merchant;
use super::json::Json;
use super::AppState;
use crate::error::Result;
use crate::store::shops;
use axum::extract::State;
use lojal_core::program::Program;

pub async fn put(
    State(state): State<AppState>,
    Merchant(shop): Merchant,
    Json(program): Json<Program>,
) -> Result<Json<Program>> {
    // The program earns in the shop's currency: a rate for it is a mistake.
    if program.rates.contains_key(&shop.currency) {
        return Err(lojal_core::Error::InvalidProgram(format!(
            "rates: {} is the shop's own currency, which needs no rate",
            shop.currency
        ))
        .into());
    }
    shops::set_program(&state.db, &shop.id, &program).await?;
    state.shops.forget(&shop.id);
    Ok(Json(program))
}
