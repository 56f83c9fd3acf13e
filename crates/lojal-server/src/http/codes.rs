//! A checkout's view of discount codes: `GET /v1/shops/{shop}/codes/{code}`
//! (what it is worth, whose it is, where it stands), `POST .../use` (spent
//! by an order, once) and `POST .../void` (cancelled, points back).

use super::auth::Merchant;
use super::json::Json;
use super::AppState;
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
    let mut tx = state.db.begin_write().await?;
    let used = redemptions::use_code(&mut tx, &shop.id, &code, &request.order_id, now).await?;
    if used.is_points_off() {
        let total = request.order_total.ok_or_else(|| {
            Error::Invalid(lojal_core::Error::InvalidRequest(
                "order_total is required to use a points-off code (it pays at most a share of the order)".into(),
            ))
        })?;
        redemptions::check_points_off_share(&mut tx, &shop.id, &shop.program, &request.order_id, total).await?;
    }
    tx.commit().await?;
    Ok(Json(used.view(&shop.program, &shop.currency, now)))
}

pub async fn void(
    State(state): State<AppState>,
    Merchant(shop): Merchant,
    Path((_shop, typed)): Path<(String, String)>,
) -> Result<Json<CodeView>> {
    let code = canonical(&typed)?;
    let now = clock::now();
    let mut tx = state.db.begin_write().await?;
    let voided = redemptions::void(&mut tx, &shop.id, &shop.program, &code, now).await?;
    tx.commit().await?;
    Ok(Json(voided.view(&shop.program, &shop.currency, now)))
}
