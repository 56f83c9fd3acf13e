//! The shopper sets their birthday, once (`PUT .../birthday`).

use crate::app::enrol;
use crate::db::Db;
use crate::error::Result;
use crate::store::birthdays;
use crate::store::shops::Shop;
use lojal_core::birthday::Birthday;
use lojal_core::identity::CustomerId;

/// Sets `customer`'s (enrolled if new) birthday.
pub async fn set(db: &Db, shop: &Shop, customer: &CustomerId, birthday: Birthday, now: i64) -> Result<()> {
    let mut tx = db.begin_write().await?;
    enrol::member(&mut tx, &shop.id, &shop.program, customer, now).await?;
    birthdays::set(&mut tx, &shop.id, customer.as_str(), birthday, now).await?;
    tx.commit().await?;
    Ok(())
}
