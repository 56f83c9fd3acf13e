//! Visits that arrived through a member's referral link.

use crate::error::{Error, Result};
use crate::store::members;
use sqlx::AnyConnection;

/// Counts a visit on `code`'s link; an unknown code is refused.
pub async fn visit(conn: &mut AnyConnection, shop: &str, code: &str, now: i64) -> Result<()> {
    if members::by_referral_code(conn, shop, code).await?.is_none() {
        return Err(Error::UnknownReferralCode(code.to_owned()));
    }
    sqlx::query("INSERT INTO referral_visits (shop_id, code, at) VALUES ($1, $2, $3)")
        .bind(shop)
        .bind(code)
        .bind(now)
        .execute(&mut *conn)
        .await?;
    Ok(())
}
