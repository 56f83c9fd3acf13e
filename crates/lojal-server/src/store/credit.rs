//! Store credit: cashback in minor units, in its own append-only ledger
//! with a cached balance (`customers.credit`), moved together in the
//! caller's transaction like points.

use crate::error::{Error, Result};
use sqlx::AnyConnection;

/// Why a row exists (its rules beside the points ledger's, in core).
pub use lojal_core::ledger::CreditReason as Reason;

/// Appends a row and moves the cached balance with it.
pub async fn record(
    conn: &mut AnyConnection,
    shop: &str,
    customer: &str,
    delta: i64,
    reason: Reason,
    order_id: Option<&str>,
    at: i64,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO credit_ledger (shop_id, customer_id, delta, reason, order_id, at) VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(shop)
    .bind(customer)
    .bind(delta)
    .bind(reason.as_str())
    .bind(order_id)
    .bind(at)
    .execute(&mut *conn)
    .await?;
    sqlx::query("UPDATE customers SET credit = credit + $1 WHERE shop_id = $2 AND id = $3")
        .bind(delta)
        .bind(shop)
        .bind(customer)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// What a spend did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Spent {
    Now,
    /// This spend id was applied before, for the same member and amount.
    Before,
}

/// Spends `amount` of a member's credit in one conditional update, so
/// concurrent spends never take more than the balance; `spend_id` makes a
/// retry apply once. Run under the member's lock (see `app::spend_credit`),
/// so a retry finds the first spend of its id.
pub async fn spend(
    conn: &mut AnyConnection,
    shop: &str,
    customer: &str,
    spend_id: &str,
    amount: i64,
    at: i64,
) -> Result<Spent> {
    let earlier: Option<(String, i64)> =
        sqlx::query_as("SELECT customer_id, delta FROM credit_ledger WHERE shop_id = $1 AND spend_id = $2")
            .bind(shop)
            .bind(spend_id)
            .fetch_optional(&mut *conn)
            .await?;
    if let Some((who, delta)) = earlier {
        return if who == customer && -delta == amount {
            Ok(Spent::Before)
        } else {
            Err(Error::SpendConflict(spend_id.to_owned()))
        };
    }
    let taken =
        sqlx::query("UPDATE customers SET credit = credit - $1 WHERE shop_id = $2 AND id = $3 AND credit >= $1")
            .bind(amount)
            .bind(shop)
            .bind(customer)
            .execute(&mut *conn)
            .await?;
    if taken.rows_affected() == 0 {
        let have = balance(conn, shop, customer).await?;
        return Err(Error::InsufficientCredit { needed: amount - have.max(0) });
    }
    // Only the first use of a spend id writes: the same id spent for
    // another member at the same moment (they lock different rows) waits
    // on the unique key here and then finds it taken, and this whole
    // transaction is refused instead of failing.
    let inserted = sqlx::query(
        "INSERT INTO credit_ledger (shop_id, customer_id, delta, reason, spend_id, at) VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT DO NOTHING",
    )
    .bind(shop)
    .bind(customer)
    .bind(-amount)
    .bind(Reason::Spend.as_str())
    .bind(spend_id)
    .bind(at)
    .execute(&mut *conn)
    .await?;
    if inserted.rows_affected() == 0 {
        return Err(Error::SpendConflict(spend_id.to_owned()));
    }
    Ok(Spent::Now)
}

pub async fn balance(conn: &mut AnyConnection, shop: &str, customer: &str) -> Result<i64> {
    Ok(sqlx::query_scalar("SELECT credit FROM customers WHERE shop_id = $1 AND id = $2")
        .bind(shop)
        .bind(customer)
        .fetch_optional(&mut *conn)
        .await?
        .unwrap_or(0))
}
