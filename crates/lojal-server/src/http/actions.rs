//! Points for actions beyond purchases: reported by the merchant's back
//! end (`POST .../customers/{customer}/actions`, a published review), or
//! claimed by the shopper in the widget (`POST .../actions/{action}/claim`,
//! a social follow).

use super::auth::{Merchant, Shopper};
use super::json::Json;
use super::AppState;
use crate::app::{claim_action, report_action};
use crate::clock;
use crate::error::Result;
use crate::store::actions::Paid;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use lojal_core::actions::{ActionReply, ActionReport};

pub async fn report(
    State(state): State<AppState>,
    Merchant(shop): Merchant,
    Path((_, customer)): Path<(String, String)>,
    Json(report): Json<ActionReport>,
) -> Result<(StatusCode, Json<ActionReply>)> {
    let (paid, points) = report_action::report(&state.db, &shop, &customer, &report, clock::now()).await?;
    Ok(match paid {
        Paid::Now(points_awarded) => (StatusCode::CREATED, Json(ActionReply { points_awarded, points })),
        Paid::Before(points_awarded) => (StatusCode::OK, Json(ActionReply { points_awarded, points })),
    })
}

pub async fn claim(
    State(state): State<AppState>,
    shopper: Shopper,
    Path((_, action_id)): Path<(String, String)>,
) -> Result<(StatusCode, Json<ActionReply>)> {
    let customer = shopper.signed_in()?;
    let reply = claim_action::claim(&state.db, &shopper.shop, customer, &action_id, clock::now()).await?;
    Ok((StatusCode::CREATED, Json(reply)))
}
