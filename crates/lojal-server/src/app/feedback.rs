//! A member's 0-10 answer about an order (`POST .../feedback`), paid
//! with the program's feedback points.

use crate::db::Db;
use crate::error::{Error, Result};
use crate::store::shops::Shop;
use crate::store::{feedback, ledger, members};
use lojal_core::feedback::{FeedbackReply, FeedbackRequest};
use lojal_core::identity::CustomerId;

/// Records `request` from `customer` (enrolled if new); 404 when the shop
/// does not ask (a shop that does not ask does not take answers).
pub async fn answer(
    db: &Db,
    shop: &Shop,
    customer: &CustomerId,
    request: &FeedbackRequest,
    now: i64,
) -> Result<FeedbackReply> {
    request.validate()?;
    let rules = shop.program.feedback.ok_or(Error::NotFound)?;
    let mut tx = db.begin_write().await?;
    members::ensure(&mut tx, &shop.id, &shop.program, customer, now).await?;
    let points_awarded =
        feedback::answer(&mut tx, &shop.id, &shop.program, &rules, customer.as_str(), request, now).await?;
    let points = ledger::balance(&mut tx, &shop.id, customer.as_str()).await?;
    tx.commit().await?;
    Ok(FeedbackReply { points_awarded, points })
}
