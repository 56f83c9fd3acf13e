//! Points for actions beyond purchases: reported by the merchant's back
//! end (`POST .../customers/{customer}/actions`, a published review), or
//! claimed by the shopper in the widget (`POST .../actions/{action}/claim`,
//! a social follow).

use super::auth::{Merchant, Shopper};
use super::json::Json;
use super::AppState;
use crate::clock;
use crate::error::{Error, Result};
use crate::store::actions::{self, Cause, Paid};
use crate::store::{ledger, members};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use lojal_core::actions::{ActionKind, ActionReply, ActionReport};
use lojal_core::identity::CustomerId;

pub async fn report(
    State(state): State<AppState>,
    Merchant(shop): Merchant,
    Path((_, customer)): Path<(String, String)>,
    Json(report): Json<ActionReport>,
) -> Result<(StatusCode, Json<ActionReply>)> {
    report.validate()?;
    let customer = CustomerId::parse(&customer)?;
    let action = shop.program.actions.iter().find(|a| a.id == report.action).ok_or(Error::NotFound)?;
    // Sign-ups and order counts are paid by what the server sees itself.
    if matches!(action.kind, ActionKind::SignUp | ActionKind::PurchaseCount) {
        return Err(Error::Invalid(lojal_core::Error::InvalidRequest(format!(
            "action {} is paid automatically, not reported",
            action.id
        ))));
    }
    let mut tx = state.db.begin_write().await?;
    members::ensure(&mut tx, &shop.id, &shop.program, &customer).await?;
    let paid = actions::pay(
        &mut tx,
        &shop.id,
        &shop.program,
        action,
        customer.as_str(),
        Cause { event_id: &report.id, order_id: None },
        clock::now(),
    )
    .await?;
    let points = ledger::balance(&mut tx, &shop.id, customer.as_str()).await?;
    tx.commit().await?;
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
    let program = &shopper.shop.program;
    let action =
        program.actions.iter().find(|a| a.id == action_id && a.claimable_by_shopper()).ok_or(Error::NotFound)?;
    let shop = &shopper.shop.id;
    let mut tx = state.db.begin_write().await?;
    members::ensure(&mut tx, shop, program, customer).await?;
    let event_id = actions::once(action);
    let cause = Cause { event_id: &event_id, order_id: None };
    let paid = actions::pay(&mut tx, shop, program, action, customer.as_str(), cause, clock::now()).await?;
    let points = ledger::balance(&mut tx, shop, customer.as_str()).await?;
    tx.commit().await?;
    match paid {
        Paid::Now(points_awarded) => Ok((StatusCode::CREATED, Json(ActionReply { points_awarded, points }))),
        // Claimed before: once-only, so this is the limit.
        Paid::Before(_) => Err(Error::LimitReached(action.title.clone())),
    }
}
