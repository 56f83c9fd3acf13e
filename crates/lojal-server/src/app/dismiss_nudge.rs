//! The shopper closed a nudge (`POST .../nudges/{kind}/dismiss`): it stays
//! away for the program's dismissal period.

use crate::app::enrol;
use crate::db::Db;
use crate::error::Result;
use crate::store::nudges;
use crate::store::shops::Shop;
use lojal_core::identity::CustomerId;
use lojal_core::nudge::NudgeKind;

/// Records that `customer` (enrolled if new) dismissed `kind` at `now`.
pub async fn dismiss(db: &Db, shop: &Shop, customer: &CustomerId, kind: NudgeKind, now: i64) -> Result<()> {
    let mut tx = db.begin_write().await?;
    enrol::member(&mut tx, &shop.id, &shop.program, customer, now).await?;
    nudges::dismiss(&mut tx, &shop.id, customer.as_str(), kind, now).await?;
    tx.commit().await?;
    Ok(())
}
