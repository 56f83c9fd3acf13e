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
    let entry = Entry::new(Reason::Redeem, -reward.cost, now).reward(&reward.id);
    ledger::spend(conn, shop, customer, program, entry).await?;
    let code = issue(conn, shop, customer, &reward.id, reward.cost, now).await?;
    ledger::settle_expiry(conn, shop, customer, program, now).await?;
    let points = ledger::balance(conn, shop, customer).await?;
    Ok(Redemption { code, points_spent: reward.cost, points })
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
