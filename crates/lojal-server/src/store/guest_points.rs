//! Guests who buy, then join (`program.guest_points`): a guest's order
//! named by an email hash is kept in `guest_orders` with the points it
//! would have earned, pending until `pending_until`; the member who joins
//! with that hash claims them, once, through the ledger
//! (`app::claim_guest_points`).
//!
//! Once: the claim is one conditional update (`claimed_by IS NULL`), so of
//! two claims racing for an order exactly one changes its row (PostgreSQL:
//! the second waits for the first's row lock and then finds the condition
//! false; SQLite: write transactions queue).

use crate::error::{Error, Result};
use lojal_core::guest::{EmailHash, GuestPoints};
use lojal_core::points;
use sqlx::{AnyConnection, Row};

/// A guest's order as the merchant's back end sends it.
#[derive(Debug, Clone)]
pub struct GuestOrder<'a> {
    pub id: &'a str,
    pub email_hash: &'a EmailHash,
    /// Minor units.
    pub total: i64,
    pub currency: &'a str,
    /// Unix seconds.
    pub created_at: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GuestReceipt {
    /// The points waiting for the guest to join (0 past the wait).
    pub points_pending: i64,
    pub pending_until: i64,
    /// The order id was known: nothing was written.
    pub duplicate: bool,
}

/// Records a guest's order with `points` (what it would earn a new member)
/// pending, unless its wait is over already. Idempotent by order id: the
/// same order again answers as the first time; the id with another hash,
/// total or currency (or a member's order's id) is `OrderConflict`.
pub async fn record(
    conn: &mut AnyConnection,
    shop: &str,
    rule: GuestPoints,
    order: &GuestOrder<'_>,
    points: i64,
    now: i64,
) -> Result<GuestReceipt> {
    let member_order: Option<String> = sqlx::query_scalar("SELECT id FROM orders WHERE shop_id = $1 AND id = $2")
        .bind(shop)
        .bind(order.id)
        .fetch_optional(&mut *conn)
        .await?;
    if member_order.is_some() {
        return Err(Error::OrderConflict(order.id.to_owned()));
    }
    let pending_until = rule.pending_until(order.created_at);
    let pending = if pending_until > now { points.max(0) } else { 0 };
    let inserted = sqlx::query(
        "INSERT INTO guest_orders (shop_id, id, platform, total, currency, created_at, email_hash, pending_points,
                                   points_earned, pending_until)
         VALUES ($1, $2, 'api', $3, $4, $5, $6, $7, $7, $8) ON CONFLICT DO NOTHING",
    )
    .bind(shop)
    .bind(order.id)
    .bind(order.total)
    .bind(order.currency)
    .bind(order.created_at)
    .bind(order.email_hash.as_str())
    .bind(pending)
    .bind(pending_until)
    .execute(&mut *conn)
    .await?;
    if inserted.rows_affected() == 1 {
        return Ok(GuestReceipt { points_pending: pending, pending_until, duplicate: false });
    }
    let row = sqlx::query(
        "SELECT total, currency, email_hash, pending_points, pending_until FROM guest_orders
         WHERE shop_id = $1 AND id = $2",
    )
    .bind(shop)
    .bind(order.id)
    .fetch_one(&mut *conn)
    .await?;
    let (total, currency, hash): (i64, String, Option<String>) =
        (row.try_get("total")?, row.try_get("currency")?, row.try_get("email_hash")?);
    if total != order.total || currency != order.currency || hash.as_deref() != Some(order.email_hash.as_str()) {
        return Err(Error::OrderConflict(order.id.to_owned()));
    }
    let until: Option<i64> = row.try_get("pending_until")?;
    Ok(GuestReceipt {
        points_pending: row.try_get("pending_points")?,
        pending_until: until.unwrap_or(pending_until),
        duplicate: true,
    })
}

/// What waits for `email_hash` now: the points and the soonest moment any
/// of them stop waiting; `None` when nothing does.
pub async fn pending(
    conn: &mut AnyConnection,
    shop: &str,
    email_hash: &EmailHash,
    now: i64,
) -> Result<Option<(i64, i64)>> {
    let row = sqlx::query(
        "SELECT CAST(COALESCE(SUM(pending_points), 0) AS BIGINT) AS points, MIN(pending_until) AS until
         FROM guest_orders
         WHERE shop_id = $1 AND email_hash = $2 AND claimed_by IS NULL AND pending_until > $3 AND pending_points > 0",
    )
    .bind(shop)
    .bind(email_hash.as_str())
    .bind(now)
    .fetch_one(&mut *conn)
    .await?;
    let (points, until): (i64, Option<i64>) = (row.try_get("points")?, row.try_get("until")?);
    Ok(until.filter(|_| points > 0).map(|until| (points, until)))
}

/// A guest's order a member claimed, as its row was.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Claimed {
    pub id: String,
    pub total: i64,
    pub currency: String,
    /// Minor units refunded while it was a guest's.
    pub refunded: i64,
    /// What it earned, and what of that was still pending.
    pub points_earned: i64,
    pub pending_points: i64,
    pub created_at: i64,
}

/// Claims for `customer` (a member) the orders whose points are still
/// pending for `email_hash`, once: each row is claimed by one conditional
/// update, so of two claims racing for an order exactly one gets it.
/// `conn` must be a write transaction.
pub async fn claim(
    conn: &mut AnyConnection,
    shop: &str,
    customer: &str,
    email_hash: &EmailHash,
    now: i64,
) -> Result<Vec<Claimed>> {
    let claimed = sqlx::query(
        "UPDATE guest_orders SET claimed_by = $1, claimed_at = $2
         WHERE shop_id = $3 AND email_hash = $4 AND claimed_by IS NULL AND pending_until > $2 AND pending_points > 0
         RETURNING id, total, refunded, currency, pending_points, points_earned, created_at",
    )
    .bind(customer)
    .bind(now)
    .bind(shop)
    .bind(email_hash.as_str())
    .fetch_all(&mut *conn)
    .await?;
    claimed
        .iter()
        .map(|row| {
            Ok(Claimed {
                id: row.try_get("id")?,
                total: row.try_get("total")?,
                currency: row.try_get("currency")?,
                refunded: row.try_get("refunded")?,
                points_earned: row.try_get("points_earned")?,
                pending_points: row.try_get("pending_points")?,
                created_at: row.try_get("created_at")?,
            })
        })
        .collect()
}

/// Makes a claimed order `customer`'s order, as if it had been theirs from
/// the start; false when its id became a member's order meanwhile (it
/// earned there).
pub async fn adopt(conn: &mut AnyConnection, shop: &str, customer: &str, order: &Claimed) -> Result<bool> {
    // A guest's order earns on its whole total (no line is excluded), so
    // all of its refunded amount was of earning lines.
    let adopted = sqlx::query(
        "INSERT INTO orders (shop_id, id, customer_id, total, currency, points_awarded, refunded, earning_refunded,
                             created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $7, $8) ON CONFLICT DO NOTHING",
    )
    .bind(shop)
    .bind(&order.id)
    .bind(customer)
    .bind(order.total)
    .bind(&order.currency)
    .bind(order.points_earned)
    .bind(order.refunded)
    .bind(order.created_at)
    .execute(&mut *conn)
    .await?;
    Ok(adopted.rows_affected() == 1)
}

/// Notes on an adopted order the points its refunds as a guest's took back.
pub async fn note_reversed(conn: &mut AnyConnection, shop: &str, order_id: &str, reversed: i64) -> Result<()> {
    sqlx::query("UPDATE orders SET points_reversed = $1 WHERE shop_id = $2 AND id = $3")
        .bind(reversed)
        .bind(shop)
        .bind(order_id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Makes an adopted order's refunds as a guest's its refunds, so a retry
/// of one after the claim is known. Dated at the claim: a guest's refund
/// keeps no time of its own.
pub async fn adopt_refunds(conn: &mut AnyConnection, shop: &str, order_id: &str, now: i64) -> Result<()> {
    sqlx::query(
        "INSERT INTO refunds (shop_id, order_id, id, amount, points_reversed, created_at)
         SELECT shop_id, order_id, id, amount, points_taken, $1 FROM guest_refunds
         WHERE shop_id = $2 AND order_id = $3
         ON CONFLICT DO NOTHING",
    )
    .bind(now)
    .bind(shop)
    .bind(order_id)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// What a refund of a guest order found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PendingRefund {
    /// Its pending points went down: those taken, and what of the order
    /// is left to refund (minor units).
    Refunded { points_taken: i64, refundable: i64 },
    /// A member claimed it meanwhile: it is their order now, to refund as one.
    Claimed,
    /// No guest order of the API by that id.
    Unknown,
}

/// A guest order's refund while its points wait: they go down as a
/// member's order's would, by the share of what it earned that the refunded
/// amount takes, reckoned on the cumulative amount so that refunds adding
/// up to the order take exactly what it earned. A known `refund_id` answers
/// as the first time (with another amount: `RefundConflict`), before any
/// other check. The row is locked first (a conditional no-op update), so a
/// claim racing with it either came first (`Claimed`) or waits for it.
pub async fn refund_pending(
    conn: &mut AnyConnection,
    shop: &str,
    order_id: &str,
    amount: Option<i64>,
    refund_id: Option<&str>,
) -> Result<PendingRefund> {
    let row = sqlx::query(
        "UPDATE guest_orders SET refunded = refunded WHERE shop_id = $1 AND id = $2 AND email_hash IS NOT NULL
         RETURNING total, refunded, pending_points, points_earned, claimed_by",
    )
    .bind(shop)
    .bind(order_id)
    .fetch_optional(&mut *conn)
    .await?;
    let Some(row) = row else { return Ok(PendingRefund::Unknown) };
    if row.try_get::<Option<String>, _>("claimed_by")?.is_some() {
        return Ok(PendingRefund::Claimed);
    }
    let (total, refunded, pending, earned): (i64, i64, i64, i64) = (
        row.try_get("total")?,
        row.try_get("refunded")?,
        row.try_get("pending_points")?,
        row.try_get("points_earned")?,
    );
    let left = total - refunded;
    if let Some(id) = refund_id {
        let earlier: Option<(i64, i64)> = sqlx::query_as(
            "SELECT amount, points_taken FROM guest_refunds WHERE shop_id = $1 AND order_id = $2 AND id = $3",
        )
        .bind(shop)
        .bind(order_id)
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?;
        if let Some((earlier_amount, points_taken)) = earlier {
            // A retry must be the same refund, as for a member's order.
            if amount.is_some_and(|a| a != earlier_amount) {
                return Err(Error::RefundConflict(id.to_owned()));
            }
            return Ok(PendingRefund::Refunded { points_taken, refundable: left });
        }
    }
    if left <= 0 {
        return Err(Error::AlreadyRefunded(order_id.to_owned()));
    }
    let amount = amount.unwrap_or(left);
    if amount > left {
        return Err(Error::RefundTooLarge { refundable: left });
    }
    // What stays pending is what the unrefunded share of the order earns.
    let taken = points::refund_reversal(earned, total, refunded, amount).min(pending);
    if let Some(id) = refund_id {
        sqlx::query(
            "INSERT INTO guest_refunds (shop_id, order_id, id, amount, points_taken) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(shop)
        .bind(order_id)
        .bind(id)
        .bind(amount)
        .bind(taken)
        .execute(&mut *conn)
        .await?;
    }
    sqlx::query(
        "UPDATE guest_orders SET refunded = refunded + $1, pending_points = pending_points - $2
         WHERE shop_id = $3 AND id = $4",
    )
    .bind(amount)
    .bind(taken)
    .bind(shop)
    .bind(order_id)
    .execute(&mut *conn)
    .await?;
    Ok(PendingRefund::Refunded { points_taken: taken, refundable: left - amount })
}
