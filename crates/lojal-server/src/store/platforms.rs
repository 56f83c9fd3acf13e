//! Orders straight from the platform: each shop's platform secrets and the
//! guest orders deliveries bring. What a verified delivery's actions do is
//! a use case (`app::platform_delivery`).

use crate::error::{Error, Result};
use lojal_core::platforms::{Platform, PlatformOrder};
use sqlx::AnyConnection;
use std::fmt;

/// A platform's signing secret; its `Debug` never shows it.
#[derive(Clone)]
pub struct PlatformSecret(String);

impl PlatformSecret {
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for PlatformSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("PlatformSecret(<redacted>)")
    }
}

/// Checks a platform secret as given to `shop platform`: 1 to 256
/// printable characters (the platform makes it; Lojal only keeps it).
pub fn check_secret(secret: &str) -> Result<()> {
    if secret.is_empty() || secret.chars().count() > 256 || secret.chars().any(|c| c.is_control() || c == ' ') {
        return Err(Error::Operation(
            "a platform secret must be 1 to 256 characters without spaces, as the platform shows it".into(),
        ));
    }
    Ok(())
}

/// Sets (or replaces) shop `shop`'s secret for `platform` (checked by
/// [`check_secret`] first).
pub async fn set_secret(
    conn: &mut AnyConnection,
    shop: &str,
    platform: Platform,
    secret: &str,
    now: i64,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO shop_platforms (shop_id, platform, secret, updated_at) VALUES ($1, $2, $3, $4)
         ON CONFLICT (shop_id, platform) DO UPDATE SET secret = excluded.secret, updated_at = excluded.updated_at",
    )
    .bind(shop)
    .bind(platform.as_str())
    .bind(secret)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Shop `shop`'s secret for `platform`, if one is set.
pub async fn secret(conn: &mut AnyConnection, shop: &str, platform: Platform) -> Result<Option<PlatformSecret>> {
    let secret: Option<String> =
        sqlx::query_scalar("SELECT secret FROM shop_platforms WHERE shop_id = $1 AND platform = $2")
            .bind(shop)
            .bind(platform.as_str())
            .fetch_optional(&mut *conn)
            .await?;
    Ok(secret.map(PlatformSecret))
}

/// Guest orders (from platforms and the API) and their net revenue, for
/// the metrics; one a member claimed on joining is theirs now (`orders`).
pub async fn guest_totals(conn: &mut AnyConnection, shop: &str) -> Result<(i64, i64)> {
    Ok(sqlx::query_as(
        "SELECT COUNT(*), CAST(COALESCE(SUM(total - refunded), 0) AS BIGINT) FROM guest_orders
         WHERE shop_id = $1 AND claimed_by IS NULL",
    )
    .bind(shop)
    .fetch_one(&mut *conn)
    .await?)
}

/// Records a platform's guest order (for the metrics); false when its
/// id was received before.
pub async fn insert_guest_order(
    conn: &mut AnyConnection,
    shop: &str,
    platform: Platform,
    order: &PlatformOrder,
    created_at: i64,
) -> Result<bool> {
    let inserted = sqlx::query(
        "INSERT INTO guest_orders (shop_id, id, platform, total, currency, created_at)
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING",
    )
    .bind(shop)
    .bind(&order.id)
    .bind(platform.as_str())
    .bind(order.total)
    .bind(&order.currency)
    .bind(created_at)
    .execute(&mut *conn)
    .await?;
    Ok(inserted.rows_affected() == 1)
}

/// A guest order's total and what of it was refunded, if it is known.
pub async fn guest_order_refunded(conn: &mut AnyConnection, shop: &str, order_id: &str) -> Result<Option<(i64, i64)>> {
    Ok(sqlx::query_as("SELECT total, refunded FROM guest_orders WHERE shop_id = $1 AND id = $2")
        .bind(shop)
        .bind(order_id)
        .fetch_optional(&mut *conn)
        .await?)
}

/// Records refund `refund_id` of a guest order; false when it was
/// recorded before (a redelivery).
pub async fn record_guest_refund(
    conn: &mut AnyConnection,
    shop: &str,
    order_id: &str,
    refund_id: &str,
    amount: i64,
) -> Result<bool> {
    let inserted = sqlx::query(
        "INSERT INTO guest_refunds (shop_id, order_id, id, amount) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
    )
    .bind(shop)
    .bind(order_id)
    .bind(refund_id)
    .bind(amount)
    .execute(&mut *conn)
    .await?;
    Ok(inserted.rows_affected() == 1)
}

/// Adds `amount` to what of a guest order was refunded, never past its total.
pub async fn add_guest_refunded(conn: &mut AnyConnection, shop: &str, order_id: &str, amount: i64) -> Result<()> {
    sqlx::query(
        "UPDATE guest_orders SET refunded = CASE WHEN refunded + $1 > total THEN total ELSE refunded + $1 END
         WHERE shop_id = $2 AND id = $3",
    )
    .bind(amount)
    .bind(shop)
    .bind(order_id)
    .execute(&mut *conn)
    .await?;
    Ok(())
}
