//! `GET /v1/shops/{shop}/customers/{customer}` (a member and their ledger)
//! and `POST .../customers/{customer}/adjustments` (a manual correction).

use super::auth::Merchant;
use super::json::Json;
use super::AppState;
use crate::app::adjust;
use crate::clock;
use crate::error::{Error, Result};
use crate::store::ledger;
use crate::store::{credit, members, tier_standing};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use lojal_core::api::{CustomerDetail, LedgerEntryView, TierRef};
use lojal_core::requests::AdjustmentRequest;
use serde_json::{json, Value};

/// The most ledger rows one answer carries, newest first.
const HISTORY_LIMIT: i64 = 500;

pub async fn get(
    State(state): State<AppState>,
    Merchant(shop): Merchant,
    Path((_shop, customer)): Path<(String, String)>,
) -> Result<Json<CustomerDetail>> {
    let member = members::current(&state.db, &shop.id, &shop.program, &customer)
        .await?
        .ok_or_else(|| Error::UnknownCustomer(customer.clone()))?;
    let mut conn = state.db.pool.acquire().await?;
    let history = ledger::history(&mut conn, &shop.id, &customer, HISTORY_LIMIT).await?;
    let held =
        tier_standing::of(&mut conn, &shop.id, &shop.program, &customer, member.lifetime_points, clock::now()).await?;
    let tier = held
        .tier(&shop.program.tiers)
        .map(|t| TierRef { id: t.id.clone(), name: t.name.clone() })
        .unwrap_or(TierRef { id: String::new(), name: String::new() });
    Ok(Json(CustomerDetail {
        id: member.id,
        points: member.points,
        lifetime_points: member.lifetime_points,
        tier,
        referral_code: member.referral_code,
        referred_by: member.referred_by,
        ledger: history.into_iter().map(entry_view).collect(),
        credit: credit::balance(&mut conn, &shop.id, &customer).await?,
    }))
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

pub fn entry_view(row: ledger::HistoryRow) -> LedgerEntryView {
    let converted = row.converted();
    LedgerEntryView {
        at: clock::rfc3339(row.at),
        delta: row.delta,
        reason: row.reason,
        order_id: row.order_id,
        reward_id: row.reward_id,
        note: row.note,
        converted,
    }
}
