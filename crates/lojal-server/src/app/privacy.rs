//! A person's data for the merchant to hand over or erase
//! (`GET .../customers/{customer}/export`, `DELETE .../customers/{customer}`).

use crate::db::Db;
use crate::error::{Error, Result};
use crate::store::privacy;
use crate::store::shops::Shop;
use lojal_core::privacy::PersonalData;

/// Everything kept about `customer`, read in a write transaction: one
/// consistent picture of every table.
pub async fn export(db: &Db, shop: &Shop, customer: &str, now: i64) -> Result<PersonalData> {
    let mut tx = db.begin_write().await?;
    let data = privacy::export(&mut tx, shop, customer, now).await?;
    tx.commit().await?;
    data.ok_or_else(|| Error::UnknownCustomer(customer.to_owned()))
}

/// Erases `customer`; false when there was no such member (or they were
/// erased before).
pub async fn erase(db: &Db, shop: &Shop, customer: &str) -> Result<bool> {
    let mut tx = db.begin_write().await?;
    let erased = privacy::erase(&mut tx, shop, customer).await?;
    tx.commit().await?;
    Ok(erased)
}
