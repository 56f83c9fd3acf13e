//! The merchant connects a platform (`lojal-server shop platform`): the
//! secret its webhook deliveries are signed with.

use crate::db::Db;
use crate::error::Result;
use crate::store::platforms;
use lojal_core::platforms::Platform;

/// Sets (or replaces) shop `shop`'s secret for `platform`, checked first.
pub async fn set(db: &Db, shop: &str, platform: Platform, secret: &str, now: i64) -> Result<()> {
    platforms::check_secret(secret)?;
    let mut tx = db.begin_write().await?;
    platforms::set_secret(&mut tx, shop, platform, secret, now).await?;
    tx.commit().await?;
    Ok(())
}
