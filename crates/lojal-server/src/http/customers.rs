//! `GET /v1/shops/{shop}/customers/{customer}` (a member and their ledger)
//! and `POST .../customers/{customer}/adjustments` (a manual correction).

use super::auth::Merchant;
use super::json::Json;
use super::AppState;
use crate::app::adjust;
use crate::app::customer_detail::customer_detail;
use crate::clock;
use crate::error::Result;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use lojal_core::api::CustomerDetail;
use lojal_core::requests::AdjustmentRequest;
use serde_json::{json, Value};

pub async fn get(
    State(state): State<AppState>,
    Merchant(shop): Merchant,
    Path((_shop, customer)): Path<(String, String)>,
) -> Result<Json<CustomerDetail>> {
    Ok(Json(customer_detail(&state.db, &shop, &customer, clock::now()).await?))
}

pub async fn adjust(
    State(state): State<AppState>,
    Merchant(shop): Merchant,
    Path((_shop, customer)): Path<(String, String)>,
    Json(adjustment): Json<AdjustmentRequest>,
) -> Result<(StatusCode, Json<Value>)> {
    let points = adjust::adjust(&state.db, &shop, &customer, &adjustment, clock::now()).await?;
    Ok((StatusCode::CREATED, Json(json!({ "points": points }))))
}
