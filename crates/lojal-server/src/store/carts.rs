//! Carts: what a signed-in shopper has in their cart, as the widget or the
//! merchant last reported it. An order clears it (`app::ingest_order`).

use crate::error::Result;
use lojal_core::requests::LineItem;
use sqlx::AnyConnection;

/// Replaces the member's cart; the member must exist.
pub async fn put(conn: &mut AnyConnection, shop: &str, customer: &str, items: &[LineItem], now: i64) -> Result<()> {
    let items = serde_json::to_string(items).expect("line items serialize");
    sqlx::query(
        "INSERT INTO carts (shop_id, customer_id, items, updated_at) VALUES ($1, $2, $3, $4)
         ON CONFLICT (shop_id, customer_id) DO UPDATE SET items = excluded.items, updated_at = excluded.updated_at",
    )
    .bind(shop)
    .bind(customer)
    .bind(items)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// The member's cart and when it last changed, if they have one.
pub async fn get(conn: &mut AnyConnection, shop: &str, customer: &str) -> Result<Option<(Vec<LineItem>, i64)>> {
    let row: Option<(String, i64)> =
        sqlx::query_as("SELECT items, updated_at FROM carts WHERE shop_id = $1 AND customer_id = $2")
            .bind(shop)
            .bind(customer)
            .fetch_optional(&mut *conn)
            .await?;
    Ok(row.map(|(items, at)| (serde_json::from_str(&items).unwrap_or_default(), at)))
}

/// Empties the member's cart (what was in it has been bought).
pub async fn clear(conn: &mut AnyConnection, shop: &str, customer: &str) -> Result<()> {
    sqlx::query("DELETE FROM carts WHERE shop_id = $1 AND customer_id = $2")
        .bind(shop)
        .bind(customer)
        .execute(&mut *conn)
        .await?;
    Ok(())
}
