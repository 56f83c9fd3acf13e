//! A shop added (`lojal-server shop add`, the demo's seed), and a page
//! origin allowed for a shop that exists (the demo's storefront, at each
//! start).

use crate::db::Db;
use crate::error::Result;
use crate::store::shops::{self, Shop};

/// Adds `shop` with its allowed origins, checked first: its id, its
/// currency (ISO 4217, in use) and its program. The secret is the caller's
/// to check (`main.rs`), since tests and benchmarks make shops with short
/// known secrets. One transaction: a shop is never there without its
/// origins.
pub async fn add(db: &Db, shop: &Shop, now: i64) -> Result<()> {
    lojal_core::identity::validate_shop_id(&shop.id)?;
    lojal_core::currency::validate(&shop.currency)?;
    shop.program.validate()?;
    let mut tx = db.begin_write().await?;
    tx.changes_shop();
    shops::add(&mut tx, shop, now).await?;
    tx.commit().await
}

/// Lets pages on `origin` call shop `shop`'s shopper API (no-op if they may).
pub async fn allow_origin(db: &Db, shop: &str, origin: &str) -> Result<()> {
    let mut tx = db.begin_write().await?;
    tx.changes_shop();
    shops::allow_origin(&mut tx, shop, origin).await?;
    tx.commit().await
}
