//! A shopper joins and the merchant's back end names the email hash their
//! guest orders carried (`POST .../customers/{customer}/guest-points`): the
//! points still pending for it are credited to them, once.

use crate::app::enrol;
use crate::db::Db;
use crate::error::Result;
use crate::store::guest_points;
use crate::store::ledger::{self, Entry, Reason};
use crate::store::shops::Shop;
use lojal_core::api::GuestClaimReply;
use lojal_core::guest::EmailHash;
use lojal_core::identity::CustomerId;
use lojal_core::program::Program;
use lojal_core::requests::GuestClaimRequest;
use sqlx::AnyConnection;

/// Credits `customer` (enrolled if new) with what waits for the hash.
pub async fn claim(
    db: &Db,
    shop: &Shop,
    customer: &CustomerId,
    request: &GuestClaimRequest,
    now: i64,
) -> Result<GuestClaimReply> {
    let mut tx = db.begin_write().await?;
    enrol::member(&mut tx, &shop.id, &shop.program, customer, now).await?;
    let credited = within(&mut tx, &shop.id, &shop.program, customer.as_str(), &request.email_hash, now).await?;
    let points = ledger::balance(&mut tx, &shop.id, customer.as_str()).await?;
    tx.commit().await?;
    Ok(GuestClaimReply { points_credited: credited, points })
}

/// Credits `customer` (a member) with the points still pending for
/// `email_hash`, once: each order claimed becomes the member's order as if
/// it had been theirs from the start, so a later refund takes its points
/// back as any order's: the points it earned go through the ledger dated
/// at the order, what its refunds as a guest's took goes back out as a
/// refund, and those refunds' ids are the order's (a retry after the claim
/// is known). Returns the points credited (0 when nothing waits, or it was
/// claimed before). `conn` must be a write transaction.
async fn within(
    conn: &mut AnyConnection,
    shop: &str,
    program: &Program,
    customer: &str,
    email_hash: &EmailHash,
    now: i64,
) -> Result<i64> {
    // The member first, as every balance move orders itself.
    ledger::lock_member(conn, shop, customer).await?;
    let mut credited = 0;
    for order in guest_points::claim(conn, shop, customer, email_hash, now).await? {
        if !guest_points::adopt(conn, shop, customer, &order).await? {
            continue;
        }
        let id = order.id.as_str();
        let entry = Entry::new(Reason::Earn, order.points_earned, order.created_at).order(id).note("guest_order");
        credited += ledger::post(conn, shop, customer, program, entry, now).await?.delta;
        let taken_as_guest = order.points_earned - order.pending_points;
        if taken_as_guest > 0 {
            let entry = Entry::new(Reason::Refund, -taken_as_guest, now).order(id).note("guest_order");
            let reversed = -ledger::post(conn, shop, customer, program, entry, now).await?.delta;
            credited -= reversed;
            guest_points::note_reversed(conn, shop, id, reversed).await?;
        }
        guest_points::adopt_refunds(conn, shop, id, now).await?;
    }
    Ok(credited)
}
