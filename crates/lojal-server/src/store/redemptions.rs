//! Redemptions: points turned into a discount code.

use crate::error::{Error, Result};
use crate::store::codes;
use crate::store::ledger::{self, Entry, Reason};
use lojal_core::program::{Program, Reward};
use sqlx::AnyConnection;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Redemption {
    pub code: String,
    pub points_spent: i64,
    pub points: i64,
}

/// Spends `reward`'s cost from the member's balance and issues its code.
/// `conn` must be a write transaction; the member must exist.
pub async fn redeem(
    conn: &mut AnyConnection,
    shop: &str,
    program: &Program,
    customer: &str,
    reward: &Reward,
    now: i64,
) -> Result<Redemption> {
    // The code first, so the ledger row can name it: each code's points are
    // spent by exactly one row (`ledger verify` checks it). A refused spend
    // fails the transaction, code and all.
    let code = issue(conn, shop, customer, &reward.id, reward.cost, now).await?;
    let entry = Entry::new(Reason::Redeem, -reward.cost, now).reward(&reward.id).note(&code);
    let posted = ledger::post(conn, shop, customer, program, entry, now).await?;
    Ok(Redemption { code, points_spent: reward.cost, points: posted.balance })
}

/// Notes that `code` was issued because of order `order_id`.
pub async fn tie_to_order(conn: &mut AnyConnection, shop: &str, code: &str, order_id: &str) -> Result<()> {
    sqlx::query("UPDATE redemptions SET issued_for_order = $1 WHERE shop_id = $2 AND code = $3")
        .bind(order_id)
        .bind(shop)
        .bind(code)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Voids the codes issued because of order `order_id` (it was refunded).
pub async fn void_for_order(conn: &mut AnyConnection, shop: &str, order_id: &str, now: i64) -> Result<()> {
    sqlx::query(
        "UPDATE redemptions SET voided_at = $1 WHERE shop_id = $2 AND issued_for_order = $3 AND voided_at IS NULL",
    )
    .bind(now)
    .bind(shop)
    .bind(order_id)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Whether `code` was voided; `None` for an unknown code.
pub async fn is_void(conn: &mut AnyConnection, shop: &str, code: &str) -> Result<Option<bool>> {
    let voided: Option<Option<i64>> =
        sqlx::query_scalar("SELECT voided_at FROM redemptions WHERE shop_id = $1 AND code = $2")
            .bind(shop)
            .bind(code)
            .fetch_optional(&mut *conn)
            .await?;
    Ok(voided.map(|v| v.is_some()))
}

/// Records a new, unique discount code for `reward_id`.
pub async fn issue(
    conn: &mut AnyConnection,
    shop: &str,
    customer: &str,
    reward_id: &str,
    points_spent: i64,
    now: i64,
) -> Result<String> {
    // A clash of codes (one in 10^12 per issued code) draws again. ON
    // CONFLICT rather than catching the error: on PostgreSQL an error would
    // abort the whole transaction.
    for _ in 0..5 {
        let code = codes::discount_code();
        let inserted = sqlx::query(
            "INSERT INTO redemptions (shop_id, code, customer_id, reward_id, points_spent, created_at)
             VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING",
        )
        .bind(shop)
        .bind(&code)
        .bind(customer)
        .bind(reward_id)
        .bind(points_spent)
        .bind(now)
        .execute(&mut *conn)
        .await?;
        if inserted.rows_affected() == 1 {
            return Ok(code);
        }
    }
    Err(Error::CodeSpaceExhausted)
}
