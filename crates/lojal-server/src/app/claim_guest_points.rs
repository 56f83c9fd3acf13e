//! A shopper joins and the merchant's back end names the email hash their
//! guest orders carried (`POST .../customers/{customer}/guest-points`): the
//! points still pending for it are credited to them, once.

use crate::db::Db;
use crate::error::Result;
use crate::store::shops::Shop;
use crate::store::{guest_points, ledger, members};
use lojal_core::api::GuestClaimReply;
use lojal_core::identity::CustomerId;
use lojal_core::requests::GuestClaimRequest;

/// Credits `customer` (enrolled if new) with what waits for the hash.
pub async fn claim(
    db: &Db,
    shop: &Shop,
    customer: &CustomerId,
    request: &GuestClaimRequest,
    now: i64,
) -> Result<GuestClaimReply> {
    let mut tx = db.begin_write().await?;
    members::ensure(&mut tx, &shop.id, &shop.program, customer, now).await?;
    let credited =
        guest_points::claim(&mut tx, &shop.id, &shop.program, customer.as_str(), &request.email_hash, now).await?;
    let points = ledger::balance(&mut tx, &shop.id, customer.as_str()).await?;
    tx.commit().await?;
    Ok(GuestClaimReply { points_credited: credited, points })
}
