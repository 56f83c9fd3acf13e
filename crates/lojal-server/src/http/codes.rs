//! A checkout's view of discount codes: `GET /v1/shops/{shop}/codes/{code}`
//! (what it is worth, whose it is, where it stands), `POST .../use` (spent
//! by an order, once) and `POST .../void` (cancelled, points back).

use super::auth::Merchant;
use super::json::Json;
use super::AppState;
use crate::app::{use_code, void_code};
use crate::clock;
use crate::error::{Error, Result};
use crate::store::redemptions;
use axum::extract::{Path, State};
use lojal_core::api::CodeView;
use lojal_core::requests::CodeUseRequest;

/// The code as typed in the path (any case, dashes or not), in canonical
/// form; what cannot be one of ours is simply not found.
fn canonical(typed: &str) -> Result<String> {
    lojal_core::codes::normalize(typed).ok_or_else(|| Error::CodeNotFound(typed.to_owned()))
}

pub async fn get(
    State(state): State<AppState>,
    Merchant(shop): Merchant,
    Path((_shop, typed)): Path<(String, String)>,
) -> Result<Json<CodeView>> {
    let code = canonical(&typed)?;
    let mut conn = state.db.pool.acquire().await?;
    let found = redemptions::find(&mut conn, &shop.id, &code).await?.ok_or(Error::CodeNotFound(code))?;
    Ok(Json(found.view(&shop.program, &shop.currency, clock::now())))
}

pub async fn use_code(
    State(state): State<AppState>,
    Merchant(shop): Merchant,
    Path((_shop, typed)): Path<(String, String)>,
    Json(request): Json<CodeUseRequest>,
) -> Result<Json<CodeView>> {
    request.validate()?;
    let code = canonical(&typed)?;
    let now = clock::now();
    let used = use_code::use_code(&state.db, &shop, &code, &request, now).await?;
    Ok(Json(used.view(&shop.program, &shop.currency, now)))
}

pub async fn void(
    State(state): State<AppState>,
    Merchant(shop): Merchant,
    Path((_shop, typed)): Path<(String, String)>,
) -> Result<Json<CodeView>> {
    let code = canonical(&typed)?;
    let now = clock::now();
    let voided = void_code::void(&state.db, &shop, &code, now).await?;
    Ok(Json(voided.view(&shop.program, &shop.currency, now)))
}
