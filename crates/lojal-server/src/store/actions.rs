//! Points for actions beyond purchases, each payment a row keyed by its
//! cause (so a retry pays once) and counted against the action's limit.
//! The rows only: paying their points is `app::pay_action`'s.

use crate::error::{Error, Result};
use lojal_core::actions::{self, Action};
use lojal_core::program::Program;

/// What caused a payment.
#[derive(Debug, Clone, Copy)]
pub struct Cause<'a> {
    /// Makes a retried report pay once.
    pub event_id: &'a str,
    /// The order that triggered it, if one did: a full refund of that
    /// order takes the points back.
    pub order_id: Option<&'a str>,
}
use sqlx::AnyConnection;

/// What a payment did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Paid {
    Now(i64),
    /// This event was paid before (a retried report): the points it paid.
    Before(i64),
}

/// Records the payment of `action` to a member for `cause.event_id`,
/// unless its limit for the period is reached (`LimitReached`): the
/// payment's row only, its points being the caller's to post (see
/// `app::pay_action`). Run under the member's lock, so concurrent claims
/// of one member count one after the other.
pub async fn record_payment(
    conn: &mut AnyConnection,
    shop: &str,
    program: &Program,
    action: &Action,
    customer: &str,
    cause: Cause<'_>,
    now: i64,
) -> Result<Paid> {
    let event_id = cause.event_id;
    let before: Option<i64> = sqlx::query_scalar(
        "SELECT points FROM action_events WHERE shop_id = $1 AND customer_id = $2 AND action_id = $3 AND event_id = $4",
    )
    .bind(shop)
    .bind(customer)
    .bind(&action.id)
    .bind(event_id)
    .fetch_optional(&mut *conn)
    .await?;
    if let Some(points) = before {
        return Ok(Paid::Before(points));
    }
    let limit = action.limit();
    let paid: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM action_events WHERE shop_id = $1 AND customer_id = $2 AND action_id = $3 AND at >= $4",
    )
    .bind(shop)
    .bind(customer)
    .bind(&action.id)
    .bind(actions::period_start(limit.per, now, &program.zone()))
    .fetch_one(&mut *conn)
    .await?;
    if !actions::allowed(limit, paid) {
        return Err(Error::LimitReached(action.title.clone()));
    }
    sqlx::query(
        "INSERT INTO action_events (shop_id, customer_id, action_id, event_id, points, at) VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(shop)
    .bind(customer)
    .bind(&action.id)
    .bind(event_id)
    .bind(action.points)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    Ok(Paid::Now(action.points))
}

/// The orders whose payment of `action` the member still holds: its ledger
/// rows net of any reversal, by the order that paid it.
pub async fn held_by_order(
    conn: &mut AnyConnection,
    shop: &str,
    customer: &str,
    action: &Action,
) -> Result<Vec<String>> {
    let held: Vec<(String, i64)> = sqlx::query_as(
        "SELECT order_id, CAST(SUM(delta) AS BIGINT) FROM ledger
         WHERE shop_id = $1 AND customer_id = $2 AND reason = 'action' AND note = $3 AND order_id IS NOT NULL
         GROUP BY order_id HAVING SUM(delta) > 0",
    )
    .bind(shop)
    .bind(customer)
    .bind(&action.id)
    .fetch_all(&mut *conn)
    .await?;
    Ok(held.into_iter().map(|(order_id, _)| order_id).collect())
}

/// Forgets the once-only payment of `action` to a member, so that it can
/// be earned again.
pub async fn forget_once(conn: &mut AnyConnection, shop: &str, customer: &str, action: &Action) -> Result<()> {
    sqlx::query(
        "DELETE FROM action_events WHERE shop_id = $1 AND customer_id = $2 AND action_id = $3 AND event_id = $4",
    )
    .bind(shop)
    .bind(customer)
    .bind(&action.id)
    .bind(once(action))
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// The program's actions this member has been paid for at least once.
pub async fn claimed(conn: &mut AnyConnection, shop: &str, program: &Program, customer: &str) -> Result<Vec<String>> {
    if program.actions.is_empty() {
        return Ok(Vec::new());
    }
    let done: Vec<String> =
        sqlx::query_scalar("SELECT DISTINCT action_id FROM action_events WHERE shop_id = $1 AND customer_id = $2")
            .bind(shop)
            .bind(customer)
            .fetch_all(&mut *conn)
            .await?;
    Ok(done)
}

/// The event of a once-only action: the action itself, so a second
/// payment finds the first.
pub fn once(action: &Action) -> String {
    format!("once:{}", action.id)
}
