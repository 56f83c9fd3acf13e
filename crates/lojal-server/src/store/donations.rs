//! Donations: points given to the shop's cause, each gift a row, and the
//! shop's running total. The points are spent through the ledger by
//! `app::donate`, in one conditional update like a redemption, so
//! concurrent gifts never overspend.

use crate::error::Result;
use lojal_core::donation::Donation;
use sqlx::AnyConnection;

pub struct Gift {
    pub points_spent: i64,
    pub amount: i64,
}

impl Gift {
    /// `gifts` gifts of `donation`: the points they spend and the amount
    /// they give.
    pub fn of(donation: &Donation, gifts: i64) -> Gift {
        Gift { points_spent: donation.points * gifts, amount: donation.value * gifts }
    }
}

/// Records a member's `gift` to the cause and adds it to the shop's total;
/// its points are the caller's to spend (`app::donate`).
pub async fn record(
    conn: &mut AnyConnection,
    shop: &str,
    donation: &Donation,
    customer: &str,
    gift: &Gift,
    now: i64,
) -> Result<()> {
    let (points, amount) = (gift.points_spent, gift.amount);
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
    Ok(())
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
