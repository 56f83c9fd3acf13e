//! The merchant's back end reports an action that earns points
//! (`POST .../customers/{customer}/actions`, a published review, say).

use crate::app::{enrol, pay_action};
use crate::db::Db;
use crate::error::{Error, Result};
use crate::store::actions::{Cause, Paid};
use crate::store::ledger;
use crate::store::shops::Shop;
use lojal_core::actions::{ActionKind, ActionReport};
use lojal_core::identity::CustomerId;

/// Pays `report`'s action to `customer` (enrolled if new), once per
/// report id; with the member's balance after it. Sign-ups and order
/// counts are paid by what the server sees itself, not reported.
pub async fn report(db: &Db, shop: &Shop, customer: &str, report: &ActionReport, now: i64) -> Result<(Paid, i64)> {
    report.validate()?;
    let customer = &CustomerId::parse(customer)?;
    let action = shop.program.actions.iter().find(|a| a.id == report.action).ok_or(Error::NotFound)?;
    if matches!(action.kind, ActionKind::SignUp | ActionKind::PurchaseCount) {
        return Err(Error::Invalid(lojal_core::Error::InvalidRequest(format!(
            "action {} is paid automatically, not reported",
            action.id
        ))));
    }
    let mut tx = db.begin_write().await?;
    enrol::member(&mut tx, &shop.id, &shop.program, customer, now).await?;
    let cause = Cause { event_id: &report.id, order_id: None };
    let paid = pay_action::pay(&mut tx, &shop.id, &shop.program, action, customer.as_str(), cause, now).await?;
    let points = ledger::balance(&mut tx, &shop.id, customer.as_str()).await?;
    tx.commit().await?;
    Ok((paid, points))
}
