//! The operator recounts what a shop's recommendations are made from, from
//! all its orders (`lojal-server recommendations rebuild`, after an
//! import; orders keep the counts up to date one by one).

use crate::db::Db;
use crate::error::Result;
use crate::store::recommendations;

/// Recounts shop `shop`'s co-occurrence counts in one transaction (the
/// picks never read half a recount); how many orders were counted.
pub async fn rebuild(db: &Db, shop: &str) -> Result<u32> {
    let mut tx = db.begin_write().await?;
    let baskets = recommendations::rebuild(&mut tx, shop).await?;
    tx.commit().await?;
    Ok(baskets)
}
