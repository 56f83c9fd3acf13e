//! Donations: points spent on the shop's cause, in one conditional update
//! like a redemption, so concurrent gifts never overspend.

use crate::error::{Error, Result};
use crate::store::ledger::{self, Entry, Reason};
use lojal_core::donation::Donation;
use lojal_core::program::Program;
use sqlx::AnyConnection;

pub struct Gift {
    pub points_spent: i64,
    pub amount: i64,
}

/// `gifts` gifts from a member, in the caller's write transaction.
pub async fn give(
    conn: &mut AnyConnection,
    shop: &str,
    program: &Program,
    donation: &Donation,
    customer: &str,
    gifts: i64,
    now: i64,
) -> Result<Gift> {
    let (points, amount) = (donation.points * gifts, donation.value * gifts);
    ledger::lock_member(conn, shop, customer).await?;
    ledger::settle_expiry(conn, shop, customer, program, now).await?;
    let entry = Entry::new(Reason::Donation, -points, now).note(&donation.cause);
    if !ledger::spend(conn, shop, customer, points, entry).await? {
        let balance = ledger::balance(conn, shop, customer).await?;
        return Err(Error::InsufficientPoints { needed: points - balance });
    }
    sqlx::query(
        "INSERT INTO donations (shop_id, customer_id, points, amount, cause, at) VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(shop)
    .bind(customer)
    .bind(points)
    .bind(amount)
    .bind(&donation.cause)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    ledger::settle_expiry(conn, shop, customer, program, now).await?;
    Ok(Gift { points_spent: points, amount })
}

/// What the shop's members gave together, minor units.
pub async fn total(conn: &mut AnyConnection, shop: &str) -> Result<i64> {
    Ok(sqlx::query_scalar("SELECT CAST(COALESCE(SUM(amount), 0) AS BIGINT) FROM donations WHERE shop_id = $1")
        .bind(shop)
        .fetch_one(&mut *conn)
        .await?)
}
