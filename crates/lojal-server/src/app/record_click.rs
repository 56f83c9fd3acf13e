//! A signed-in member clicked a recommended product (`POST
//! .../recommendations/clicks`), counted in the merchant's figures beside
//! the picks shown and the orders they led to.

use crate::db::Db;
use crate::error::{Error, Result};
use crate::store::recommendations;

/// Records `customer`'s click on `sku` (checked first) at `now`.
pub async fn record(db: &Db, shop: &str, customer: &str, sku: &str, now: i64) -> Result<()> {
    lojal_core::requests::check_external_id("sku", sku).map_err(Error::Invalid)?;
    let mut tx = db.begin_write().await?;
    tx.changes_no_view();
    recommendations::record_click(&mut tx, shop, customer, sku, now).await?;
    tx.commit().await
}
