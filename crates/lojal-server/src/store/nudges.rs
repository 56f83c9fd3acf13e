//! A member's win-back codes and dismissed nudges. (The facts the nudge
//! rules look at are read with the rest of the widget's: `member_facts`.)

use crate::error::Result;
use lojal_core::nudge::NudgeKind;
use sqlx::AnyConnection;

/// Notes `code` as the member's win-back code for the lapse after their
/// order of `last_order_at`; `false` if that lapse has one already (the
/// schema keeps one per lapse: migration 0012).
pub async fn record_win_back(
    conn: &mut AnyConnection,
    shop: &str,
    customer: &str,
    code: &str,
    reward_id: &str,
    last_order_at: i64,
    now: i64,
) -> Result<bool> {
    // ON CONFLICT rather than catching the error: on PostgreSQL an error
    // would abort the transaction.
    let inserted = sqlx::query(
        "INSERT INTO win_backs (shop_id, customer_id, code, reward_id, issued_at, last_order_at)
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (shop_id, customer_id, last_order_at) DO NOTHING",
    )
    .bind(shop)
    .bind(customer)
    .bind(code)
    .bind(reward_id)
    .bind(now)
    .bind(last_order_at)
    .execute(&mut *conn)
    .await?;
    Ok(inserted.rows_affected() == 1)
}

/// Keeps `kind` away from the member for the program's dismissal period.
pub async fn dismiss(conn: &mut AnyConnection, shop: &str, customer: &str, kind: NudgeKind, now: i64) -> Result<()> {
    sqlx::query(
        "INSERT INTO nudge_dismissals (shop_id, customer_id, kind, at) VALUES ($1, $2, $3, $4)
         ON CONFLICT (shop_id, customer_id, kind) DO UPDATE SET at = excluded.at",
    )
    .bind(shop)
    .bind(customer)
    .bind(kind.as_str())
    .bind(now)
    .execute(&mut *conn)
    .await?;
    Ok(())
}
