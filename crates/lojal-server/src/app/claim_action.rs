//! The shopper claims an action in the widget (`POST .../actions/{action}/claim`,
//! a social follow): paid once.

use crate::app::{enrol, pay_action};
use crate::db::Db;
use crate::error::{Error, Result};
use crate::store::actions::{self, Cause, Paid};
use crate::store::ledger;
use crate::store::shops::Shop;
use lojal_core::actions::ActionReply;
use lojal_core::identity::CustomerId;

/// Pays action `action_id` to `customer` (enrolled if new); 404 for an
/// action a shopper cannot claim, `limit_reached` when claimed before.
pub async fn claim(db: &Db, shop: &Shop, customer: &CustomerId, action_id: &str, now: i64) -> Result<ActionReply> {
    let program = &shop.program;
    let action =
        program.actions.iter().find(|a| a.id == action_id && a.claimable_by_shopper()).ok_or(Error::NotFound)?;
    let mut tx = db.begin_write().await?;
    enrol::member(&mut tx, &shop.id, program, customer, now).await?;
    let event_id = actions::once(action);
    let cause = Cause { event_id: &event_id, order_id: None };
    let paid = pay_action::pay(&mut tx, &shop.id, program, action, customer.as_str(), cause, now).await?;
    let points = ledger::balance(&mut tx, &shop.id, customer.as_str()).await?;
    tx.commit().await?;
    match paid {
        Paid::Now(points_awarded) => Ok(ActionReply { points_awarded, points }),
        // Claimed before: once-only, so this is the limit.
        Paid::Before(_) => Err(Error::LimitReached(action.title.clone())),
    }
}
