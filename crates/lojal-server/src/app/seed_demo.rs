//! The demo shop's history, written in one transaction: its catalogue, its
//! past orders through the one order ingestion, and which of its customers
//! opened the widget. What the history is (the data set's baskets, drawn
//! customers and dates) is `demo::seed`'s.

use crate::app::ingest_order;
use crate::db::Db;
use crate::error::Result;
use crate::store::orders::NewOrder;
use crate::store::products::{self, Product};
use crate::store::shops::Shop;

/// Writes `catalogue` and `orders` (oldest first) for `shop`, then marks
/// `joined_in_five` customers in five as having joined at their first order.
pub async fn write_history(
    db: &Db,
    shop: &Shop,
    catalogue: &[&Product],
    orders: &[NewOrder],
    joined_in_five: i64,
    now: i64,
) -> Result<()> {
    let mut tx = db.begin_write().await?;
    for product in catalogue {
        products::upsert(&mut tx, &shop.id, product).await?;
    }
    ingest_order::import(&mut tx, &shop.id, &shop.program, orders, now).await?;
    crate::store::demo::join_at_first_order(&mut tx, &shop.id, joined_in_five).await?;
    tx.commit().await
}
