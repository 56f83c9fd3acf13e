//! A member gives points to the shop's cause (`POST .../donations`).

use crate::app::enrol;
use crate::db::Db;
use crate::error::{Error, Result};
use crate::store::donations::{self, Gift};
use crate::store::ledger::{self, Entry, Reason};
use crate::store::shops::Shop;
use lojal_core::donation::{DonationReply, DonationRequest};
use lojal_core::identity::CustomerId;

/// Gives `request.gifts` of the program's donation from `customer`'s
/// points (enrolled if new); 404 when the shop has no cause.
pub async fn donate(
    db: &Db,
    shop: &Shop,
    customer: &CustomerId,
    request: &DonationRequest,
    now: i64,
) -> Result<DonationReply> {
    request.validate()?;
    let program = &shop.program;
    let donation = program.donation.as_ref().ok_or(Error::NotFound)?;
    let mut tx = db.begin_write().await?;
    enrol::member(&mut tx, &shop.id, program, customer, now).await?;
    let gift = Gift::of(donation, request.gifts);
    let entry = Entry::new(Reason::Donation, -gift.points_spent, now).note(&donation.cause);
    ledger::post(&mut tx, &shop.id, customer.as_str(), program, entry, now).await?;
    donations::record(&mut tx, &shop.id, donation, customer.as_str(), &gift, now).await?;
    let points = ledger::balance(&mut tx, &shop.id, customer.as_str()).await?;
    let total = donations::total(&mut tx, &shop.id).await?;
    tx.commit().await?;
    Ok(DonationReply { points_spent: gift.points_spent, amount: gift.amount, points, total })
}
