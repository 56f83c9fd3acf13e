//! Points for actions beyond purchases, each payment a row keyed by its
//! cause (so a retry pays once) and counted against the action's limit.

use crate::error::{Error, Result};
use crate::store::ledger::{self, Entry, Reason};
use lojal_core::actions::{self, Action, ActionKind};
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

/// Pays `action` to a member for `event_id`, in the caller's transaction,
/// unless its limit for the period is reached (`LimitReached`).
pub async fn pay(
    conn: &mut AnyConnection,
    shop: &str,
    program: &Program,
    action: &Action,
    customer: &str,
    cause: Cause<'_>,
    now: i64,
) -> Result<Paid> {
    let event_id = cause.event_id;
    // Concurrent claims of one member count one after the other.
    ledger::lock_member(conn, shop, customer).await?;
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
    let mut entry = Entry::new(Reason::Action, action.points, now).note(&action.id);
    if let Some(order_id) = cause.order_id {
        entry = entry.order(order_id);
    }
    ledger::post(conn, shop, customer, program, entry, now).await?;
    Ok(Paid::Now(action.points))
}

/// Every action of `kind` the program pays automatically, paid if due; a
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
        let event_id = once(action);
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
        // The bonus as held: its rows net of any reversal, by the order that paid it.
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
        let mut taken = 0;
        for (order_id, _) in &held {
            let entry = Entry::new(Reason::Action, -i64::MAX, now).note(&action.id).order(order_id);
            taken -= ledger::post(conn, shop, customer, program, entry, now).await?.delta;
        }
        // Earnable again only if it was taken back: a bonus whose points
        // expired unspent was had in full, and paying it again would count
        // it twice towards the tier.
        if taken == 0 {
            continue;
        }
        sqlx::query(
            "DELETE FROM action_events WHERE shop_id = $1 AND customer_id = $2 AND action_id = $3 AND event_id = $4",
        )
        .bind(shop)
        .bind(customer)
        .bind(&action.id)
        .bind(once(action))
        .execute(&mut *conn)
        .await?;
    }
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
