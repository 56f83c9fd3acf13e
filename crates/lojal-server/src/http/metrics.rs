//! `GET /v1/shops/{shop}/metrics?period_days=90`: whether loyalty pays.

use super::auth::Merchant;
use super::json::Json;
use super::AppState;
use crate::clock;
use crate::error::{Error, Result};
use crate::store::metrics;
use axum::extract::{Query, State};
use lojal_core::api::Metrics;
use lojal_core::Error as Invalid;
use serde::Deserialize;

#[derive(Debug, Deserialize)]
pub struct Period {
    period_days: Option<i64>,
}

pub async fn get(
    State(state): State<AppState>,
    Merchant(shop): Merchant,
    Query(period): Query<Period>,
) -> Result<Json<Metrics>> {
    let days = period.period_days.unwrap_or(90);
    if !(1..=3650).contains(&days) {
        return Err(Error::Invalid(Invalid::InvalidRequest("period_days must be 1 to 3650".into())));
    }
    let mut conn = state.db.pool.acquire().await?;
    Ok(Json(metrics::compute(&mut conn, &shop.id, &shop.currency, &shop.program, clock::now(), days).await?))
}
