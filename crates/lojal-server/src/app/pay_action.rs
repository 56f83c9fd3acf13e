//! Paying an action's points (a reported review, a claimed follow, the
//! sign-up and n-th-order bonuses) and taking an n-th-order bonus back: the
//! payment's row (`store::actions`) and its ledger row together, in the
//! caller's transaction, for every use case that pays one.

use crate::error::{Error, Result};
use crate::store::actions::{self, Cause, Paid};
use crate::store::ledger::{self, Entry, Reason};
use lojal_core::actions::{Action, ActionKind};
use lojal_core::program::Program;
use sqlx::AnyConnection;

/// Pays `action` to a member for `cause`, unless its limit for the period
/// is reached (`LimitReached`); a retried event answers what it paid.
pub async fn pay(
    conn: &mut AnyConnection,
    shop: &str,
    program: &Program,
    action: &Action,
    customer: &str,
    cause: Cause<'_>,
    now: i64,
) -> Result<Paid> {
    // Concurrent claims of one member count one after the other.
    ledger::lock_member(conn, shop, customer).await?;
    let paid = actions::record_payment(conn, shop, program, action, customer, cause, now).await?;
    if let Paid::Now(points) = paid {
        let mut entry = Entry::new(Reason::Action, points, now).note(&action.id);
        if let Some(order_id) = cause.order_id {
            entry = entry.order(order_id);
        }
        ledger::post(conn, shop, customer, program, entry, now).await?;
    }
    Ok(paid)
}

/// Every action the program pays automatically that is `due`, paid; a
/// reached limit is no error here (it was paid before).
async fn pay_automatic(
    conn: &mut AnyConnection,
    shop: &str,
    program: &Program,
    customer: &str,
    due: impl Fn(&Action) -> bool,
    order_id: Option<&str>,
    now: i64,
) -> Result<()> {
    for action in program.actions.iter().filter(|a| due(a)) {
        let event_id = actions::once(action);
        match pay(conn, shop, program, action, customer, Cause { event_id: &event_id, order_id }, now).await {
            Ok(_) | Err(Error::LimitReached(_)) => {}
            Err(other) => return Err(other),
        }
    }
    Ok(())
}

/// The sign-up bonus of a member enrolled just now.
pub async fn signed_up(
    conn: &mut AnyConnection,
    shop: &str,
    program: &Program,
    customer: &str,
    now: i64,
) -> Result<()> {
    pay_automatic(conn, shop, program, customer, |a| a.kind == ActionKind::SignUp, None, now).await
}

/// The order-count bonuses due now that order `order_id` makes a member's
/// `orders`-th kept order.
pub async fn ordered(
    conn: &mut AnyConnection,
    shop: &str,
    program: &Program,
    customer: &str,
    order_id: &str,
    orders: i64,
    now: i64,
) -> Result<()> {
    let due = |a: &Action| a.kind == ActionKind::PurchaseCount && a.count.map(i64::from) == Some(orders);
    pay_automatic(conn, shop, program, customer, due, Some(order_id), now).await
}

/// Takes back each n-th-order bonus the member holds whose count their kept
/// orders (`kept`, after a full refund) no longer reach, and lets it be
/// earned again: bought and refunded orders must not keep a bonus, and a
/// member whose order was refunded must not lose it for good.
pub async fn order_count_fell(
    conn: &mut AnyConnection,
    shop: &str,
    program: &Program,
    customer: &str,
    kept: i64,
    now: i64,
) -> Result<()> {
    let unreached = program
        .actions
        .iter()
        .filter(|a| a.kind == ActionKind::PurchaseCount && a.count.is_some_and(|n| i64::from(n) > kept));
    for action in unreached {
        let mut taken = 0;
        for order_id in &actions::held_by_order(conn, shop, customer, action).await? {
            let entry = Entry::new(Reason::Action, -i64::MAX, now).note(&action.id).order(order_id);
            taken -= ledger::post(conn, shop, customer, program, entry, now).await?.delta;
        }
        // Earnable again only if it was taken back: a bonus whose points
        // expired unspent was had in full, and paying it again would count
        // it twice towards the tier.
        if taken != 0 {
            actions::forget_once(conn, shop, customer, action).await?;
        }
    }
    Ok(())
}
