//! A merchant's manual correction of a member's points
//! (`POST .../customers/{customer}/adjustments`).

use crate::db::Db;
use crate::error::{Error, Result};
use crate::store::ledger::{self, Entry, Reason};
use crate::store::members;
use crate::store::shops::Shop;
use lojal_core::requests::AdjustmentRequest;

/// Posts `adjustment` to the member's ledger; the member's balance after it.
/// Only an existing member can be adjusted (an adjustment enrols nobody).
pub async fn adjust(db: &Db, shop: &Shop, customer: &str, adjustment: &AdjustmentRequest, now: i64) -> Result<i64> {
    adjustment.validate()?;
    let mut tx = db.begin_write().await?;
    if members::find(&mut tx, &shop.id, customer).await?.is_none() {
        return Err(Error::UnknownCustomer(customer.to_owned()));
    }
    let entry = Entry::new(Reason::Adjustment, adjustment.points, now).note(&adjustment.note);
    let points = ledger::post(&mut tx, &shop.id, customer, &shop.program, entry, now).await?.balance;
    tx.commit().await?;
    Ok(points)
}
