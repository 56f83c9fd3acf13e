//! Rows only the demo shop's seed writes: what a real shop's history would
//! have but the replayed baskets cannot say.

use crate::error::Result;
use sqlx::AnyConnection;

/// Marks `share_in_five` in five of the shop's customers (by the number in
/// their `cust-N` id, not by behaviour) as having opened the widget signed
/// in at their first order, so the members-against-non-members figures
/// have both sides. Customers without an order stay unjoined.
pub async fn join_at_first_order(conn: &mut AnyConnection, shop: &str, share_in_five: i64) -> Result<()> {
    sqlx::query(
        "UPDATE customers SET joined_at = (SELECT MIN(o.created_at) FROM orders o
             WHERE o.shop_id = customers.shop_id AND o.customer_id = customers.id)
         WHERE shop_id = $1 AND CAST(SUBSTR(id, 6) AS INTEGER) % 5 < $2",
    )
    .bind(shop)
    .bind(share_in_five)
    .execute(&mut *conn)
    .await?;
    Ok(())
}
