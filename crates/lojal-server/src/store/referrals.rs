//! Visits that arrived through a member's referral link.

use crate::error::Result;
use sqlx::AnyConnection;

/// Counts a visit on `code`'s link (a code the caller found).
pub async fn record_visit(conn: &mut AnyConnection, shop: &str, code: &str, now: i64) -> Result<()> {
    sqlx::query("INSERT INTO referral_visits (shop_id, code, at) VALUES ($1, $2, $3)")
        .bind(shop)
        .bind(code)
        .bind(now)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Who referred `referrer`, who referred them, and so on upwards: the
/// chain [`lojal_core::referral::eligibility`] looks for a loop in, read
/// as far as it looks (one read per member).
pub async fn referrers_above(conn: &mut AnyConnection, shop: &str, referrer: &str) -> Result<Vec<String>> {
    let mut chain: Vec<String> = Vec::new();
    let mut member = referrer.to_owned();
    while chain.len() < lojal_core::referral::MAX_CHAIN - 1 {
        let up: Option<Option<String>> =
            sqlx::query_scalar("SELECT referred_by FROM customers WHERE shop_id = $1 AND id = $2")
                .bind(shop)
                .bind(&member)
                .fetch_optional(&mut *conn)
                .await?;
        let Some(up) = up.flatten() else { break };
        chain.push(up.clone());
        member = up;
    }
    Ok(chain)
}
