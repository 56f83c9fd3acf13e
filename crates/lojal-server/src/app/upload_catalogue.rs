//! The merchant uploads the shop's whole catalogue (`PUT .../products`).

use crate::db::Db;
use crate::error::Result;
use crate::store::products;
use lojal_core::requests::{validate_catalogue, ProductRequest};

/// Makes `catalogue` (checked first) shop `shop`'s whole catalogue, in one
/// transaction so that shoppers never see half of it; how many products
/// the shop then has.
pub async fn upload(db: &Db, shop: &str, catalogue: &[ProductRequest]) -> Result<i64> {
    validate_catalogue(catalogue)?;
    let mut tx = db.begin_write().await?;
    products::replace(&mut tx, shop, catalogue).await?;
    let count = products::count(&mut tx, shop).await?;
    tx.commit().await?;
    Ok(count)
}
