//! The append-only points ledger. Every change to a balance is one row
//! here, written by the transaction that caused it, together with the
//! member's cached balance (`customers.points`), which never drifts from
//! the rows' sum because nothing else writes it.

use crate::error::{Error, Result};
use lojal_core::expiry::{self, Movement};
use lojal_core::program::Program;
use sqlx::{AnyConnection, Row};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reason {
    Earn,
    Redeem,
    Refund,
    Referral,
    Expiry,
    Adjustment,
    Birthday,
    /// Points for answering the feedback question.
    Feedback,
    /// Points for an action beyond purchases; the note names it.
    Action,
    /// Points given to the shop's cause; the note names it.
    Donation,
}

impl Reason {
    pub fn as_str(self) -> &'static str {
        match self {
            Reason::Earn => "earn",
            Reason::Redeem => "redeem",
            Reason::Refund => "refund",
            Reason::Referral => "referral",
            Reason::Expiry => "expiry",
            Reason::Adjustment => "adjustment",
            Reason::Birthday => "birthday",
            Reason::Feedback => "feedback",
            Reason::Action => "action",
            Reason::Donation => "donation",
        }
    }

    /// Points earned (and their reversal) move a member's tier; spending
    /// points or letting them expire does not take a tier away.
    fn counts_towards_tier(self) -> bool {
        matches!(
            self,
            Reason::Earn
                | Reason::Refund
                | Reason::Referral
                | Reason::Adjustment
                | Reason::Birthday
                | Reason::Feedback
                | Reason::Action
        )
    }
}

#[derive(Debug, Clone, Copy)]
pub struct Entry<'a> {
    pub delta: i64,
    pub reason: Reason,
    pub order_id: Option<&'a str>,
    pub reward_id: Option<&'a str>,
    pub note: Option<&'a str>,
    /// Unix seconds.
    pub at: i64,
}

impl<'a> Entry<'a> {
    pub fn new(reason: Reason, delta: i64, at: i64) -> Self {
        Entry { delta, reason, order_id: None, reward_id: None, note: None, at }
    }

    pub fn order(mut self, id: &'a str) -> Self {
        self.order_id = Some(id);
        self
    }

    pub fn reward(mut self, id: &'a str) -> Self {
        self.reward_id = Some(id);
        self
    }

    pub fn note(mut self, note: &'a str) -> Self {
        self.note = Some(note);
        self
    }
}

/// Takes the member's row lock for the rest of the transaction, so that
/// concurrent writers for one member queue up (PostgreSQL row lock; on
/// SQLite the write transaction already holds the database's lock).
pub async fn lock_member(conn: &mut AnyConnection, shop: &str, customer: &str) -> Result<()> {
    sqlx::query("UPDATE customers SET points = points WHERE shop_id = $1 AND id = $2")
        .bind(shop)
        .bind(customer)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Appends `entry` and moves the cached balance with it.
pub async fn record(conn: &mut AnyConnection, shop: &str, customer: &str, entry: Entry<'_>) -> Result<()> {
    insert(conn, shop, customer, entry).await?;
    let lifetime = if entry.reason.counts_towards_tier() { entry.delta } else { 0 };
    sqlx::query(
        "UPDATE customers SET points = points + $1, lifetime_points = lifetime_points + $2
         WHERE shop_id = $3 AND id = $4",
    )
    .bind(entry.delta)
    .bind(lifetime)
    .bind(shop)
    .bind(customer)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Spends `-entry.delta` points for `entry` (a redemption, a gift): the
/// member's row locked, expiry due by the entry's time settled first, then one
/// conditional update, so two concurrent spends can never both pass a check
/// of the same balance. Refuses with `InsufficientPoints`, writing nothing,
/// when the balance does not cover them. In the caller's write transaction.
pub async fn spend(
    conn: &mut AnyConnection,
    shop: &str,
    customer: &str,
    program: &Program,
    entry: Entry<'_>,
) -> Result<()> {
    let points = -entry.delta;
    lock_member(conn, shop, customer).await?;
    settle_expiry(conn, shop, customer, program, entry.at).await?;
    let spent =
        sqlx::query("UPDATE customers SET points = points - $1 WHERE shop_id = $2 AND id = $3 AND points >= $1")
            .bind(points)
            .bind(shop)
            .bind(customer)
            .execute(&mut *conn)
            .await?;
    if spent.rows_affected() == 0 {
        let balance = balance(conn, shop, customer).await?;
        return Err(Error::InsufficientPoints { needed: points - balance });
    }
    insert(conn, shop, customer, entry).await
}

async fn insert(conn: &mut AnyConnection, shop: &str, customer: &str, entry: Entry<'_>) -> Result<()> {
    sqlx::query(
        "INSERT INTO ledger (shop_id, customer_id, delta, reason, order_id, reward_id, note, at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(shop)
    .bind(customer)
    .bind(entry.delta)
    .bind(entry.reason.as_str())
    .bind(entry.order_id)
    .bind(entry.reward_id)
    .bind(entry.note)
    .bind(entry.at)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Writes the expiry that is due by `now` (see `lojal_core::expiry`) as one
/// `expiry` row, and notes when the next points expire. Safe to run any
/// number of times: it writes only what is not written yet.
pub async fn settle_expiry(
    conn: &mut AnyConnection,
    shop: &str,
    customer: &str,
    program: &Program,
    now: i64,
) -> Result<()> {
    let Some(rule) = program.expiry else {
        sqlx::query("UPDATE customers SET next_expiry_at = NULL WHERE shop_id = $1 AND id = $2")
            .bind(shop)
            .bind(customer)
            .execute(&mut *conn)
            .await?;
        return Ok(());
    };
    let rows = sqlx::query("SELECT at, delta, reason FROM ledger WHERE shop_id = $1 AND customer_id = $2 ORDER BY id")
        .bind(shop)
        .bind(customer)
        .fetch_all(&mut *conn)
        .await?;
    let mut movements = Vec::with_capacity(rows.len());
    let mut recorded = 0;
    for row in rows {
        let reason: String = row.try_get("reason")?;
        let delta: i64 = row.try_get("delta")?;
        let is_expiry = reason == Reason::Expiry.as_str();
        if is_expiry {
            recorded -= delta;
        }
        movements.push(Movement { at: row.try_get("at")?, delta, is_expiry });
    }
    let state = expiry::expired_by(&movements, rule.after_months, now);
    let due = state.expired - recorded;
    if due > 0 {
        record(conn, shop, customer, Entry::new(Reason::Expiry, -due, now)).await?;
    }
    sqlx::query("UPDATE customers SET next_expiry_at = $1, next_expiry_points = $2 WHERE shop_id = $3 AND id = $4")
        .bind(state.next_expiry_at)
        .bind(state.next_expiry_points)
        .bind(shop)
        .bind(customer)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// One row of a member's history, as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HistoryRow {
    pub at: i64,
    pub delta: i64,
    pub reason: String,
    pub order_id: Option<String>,
    pub reward_id: Option<String>,
    pub note: Option<String>,
}

/// A member's ledger, newest first.
pub async fn history(conn: &mut AnyConnection, shop: &str, customer: &str, limit: i64) -> Result<Vec<HistoryRow>> {
    let rows = sqlx::query(
        "SELECT at, delta, reason, order_id, reward_id, note FROM ledger
         WHERE shop_id = $1 AND customer_id = $2 ORDER BY id DESC LIMIT $3",
    )
    .bind(shop)
    .bind(customer)
    .bind(limit)
    .fetch_all(&mut *conn)
    .await?;
    rows.into_iter()
        .map(|row| {
            Ok(HistoryRow {
                at: row.try_get("at")?,
                delta: row.try_get("delta")?,
                reason: row.try_get("reason")?,
                order_id: row.try_get("order_id")?,
                reward_id: row.try_get("reward_id")?,
                note: row.try_get("note")?,
            })
        })
        .collect()
}

/// The member's balance: the cached sum of their ledger rows.
pub async fn balance(conn: &mut AnyConnection, shop: &str, customer: &str) -> Result<i64> {
    Ok(sqlx::query_scalar("SELECT points FROM customers WHERE shop_id = $1 AND id = $2")
        .bind(shop)
        .bind(customer)
        .fetch_one(&mut *conn)
        .await?)
}
