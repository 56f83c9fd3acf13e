//! Donations: points spent on the shop's cause, in one conditional update
//! like a redemption, so concurrent gifts never overspend.

use crate::error::Result;
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
    let entry = Entry::new(Reason::Donation, -points, now).note(&donation.cause);
    ledger::post(conn, shop, customer, program, entry, now).await?;
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
    sqlx::query(
        "INSERT INTO donation_totals (shop_id, total) VALUES ($1, $2)
         ON CONFLICT (shop_id) DO UPDATE SET total = donation_totals.total + excluded.total",
    )
    .bind(shop)
    .bind(amount)
    .execute(&mut *conn)
    .await?;
    Ok(Gift { points_spent: points, amount })
}

/// What the shop's members gave together, minor units: one row, kept by
/// each gift, so a page view does not sum every gift ever made.
pub async fn total(conn: &mut AnyConnection, shop: &str) -> Result<i64> {
    Ok(sqlx::query_scalar("SELECT total FROM donation_totals WHERE shop_id = $1")
        .bind(shop)
        .fetch_optional(&mut *conn)
        .await?
        .unwrap_or(0))
}
