//! A checkout cancels a discount code (`POST .../codes/{code}/void`): the
//! points it cost go back.

use crate::db::Db;
use crate::error::Result;
use crate::store::redemptions::{self, StoredCode};
use crate::store::shops::Shop;

/// Voids `code` (canonical form), giving its points back.
pub async fn void(db: &Db, shop: &Shop, code: &str, now: i64) -> Result<StoredCode> {
    let mut tx = db.begin_write().await?;
    let voided = redemptions::void(&mut tx, &shop.id, &shop.program, code, now).await?;
    tx.commit().await?;
    Ok(voided)
}
