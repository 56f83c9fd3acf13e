//! The shopper sets their birthday, once (`PUT .../birthday`).

use crate::db::Db;
use crate::error::Result;
use crate::store::shops::Shop;
use crate::store::{birthdays, members};
use lojal_core::birthday::Birthday;
use lojal_core::identity::CustomerId;

/// Sets `customer`'s (enrolled if new) birthday.
pub async fn set(db: &Db, shop: &Shop, customer: &CustomerId, birthday: Birthday, now: i64) -> Result<()> {
    let mut tx = db.begin_write().await?;
    members::ensure(&mut tx, &shop.id, &shop.program, customer, now).await?;
    birthdays::set(&mut tx, &shop.id, customer.as_str(), birthday, now).await?;
    tx.commit().await?;
    Ok(())
}
