//! A member's 0-10 answer about an order (`POST .../feedback`), paid
//! with the program's feedback points.

use crate::app::enrol;
use crate::db::Db;
use crate::error::{Error, Result};
use crate::store::ledger::{self, Entry, Reason};
use crate::store::shops::Shop;
use crate::store::{feedback, outbox};
use lojal_core::feedback::{FeedbackReply, FeedbackRequest, FeedbackRules};
use lojal_core::identity::CustomerId;
use lojal_core::program::Program;
use lojal_core::webhooks::{Event, FeedbackReceived};
use sqlx::AnyConnection;

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
    enrol::member(&mut tx, &shop.id, &shop.program, customer, now).await?;
    let points_awarded = within(&mut tx, &shop.id, &shop.program, &rules, customer.as_str(), request, now).await?;
    let points = ledger::balance(&mut tx, &shop.id, customer.as_str()).await?;
    tx.commit().await?;
    Ok(FeedbackReply { points_awarded, points })
}

/// Stores a member's answer about one of their orders, pays its points and
/// announces it, in the caller's write transaction. Returns the points
/// awarded.
pub async fn within(
    conn: &mut AnyConnection,
    shop: &str,
    program: &Program,
    rules: &FeedbackRules,
    customer: &str,
    request: &FeedbackRequest,
    now: i64,
) -> Result<i64> {
    // The member first: a refund of this order (which takes feedback points
    // back) then either ran before this reads the order, or runs after.
    ledger::lock_member(conn, shop, customer).await?;
    feedback::record(conn, shop, rules, customer, request, now).await?;
    if rules.points > 0 {
        let entry = Entry::new(Reason::Feedback, rules.points, now).order(&request.order_id);
        ledger::post(conn, shop, customer, program, entry, now).await?;
    }
    let received = FeedbackReceived {
        customer: customer.to_owned(),
        order_id: request.order_id.clone(),
        score: i64::from(request.score),
        comment: request.comment().map(str::to_owned),
        points: rules.points,
    };
    outbox::record(conn, shop, Some(customer), &Event::FeedbackReceived(received), now).await?;
    Ok(rules.points)
}
