//! Feedback answers: one per order, optionally paid in points, and the
//! Net Promoter Score they make.

use crate::error::{Error, Result};
use lojal_core::feedback::{self, FeedbackAsk, FeedbackRequest, FeedbackRules, NpsFigures};
use sqlx::{AnyConnection, Row};

/// The question to ask a member now: about their latest order, if it is
/// recent enough and has no answer yet.
pub async fn pending(
    conn: &mut AnyConnection,
    shop: &str,
    rules: &FeedbackRules,
    customer: &str,
    now: i64,
) -> Result<Option<FeedbackAsk>> {
    let latest = sqlx::query(
        "SELECT o.id, o.created_at, f.order_id AS answered FROM orders o
         LEFT JOIN feedback f ON f.shop_id = o.shop_id AND f.order_id = o.id
         WHERE o.shop_id = $1 AND o.customer_id = $2 ORDER BY o.created_at DESC LIMIT 1",
    )
    .bind(shop)
    .bind(customer)
    .fetch_optional(&mut *conn)
    .await?;
    let Some(row) = latest else { return Ok(None) };
    let answered: Option<String> = row.try_get("answered")?;
    let at: i64 = row.try_get("created_at")?;
    Ok((answered.is_none() && rules.asks_about(at, now))
        .then(|| row.try_get("id").map(|order_id| FeedbackAsk { order_id, points: rules.points }))
        .transpose()?)
}

/// Stores a member's answer about one of their orders, refused for an
/// order that is not theirs, no longer open to feedback, or answered
/// before. Run under the member's lock (see `app::feedback`); its points
/// are the caller's to pay.
pub async fn record(
    conn: &mut AnyConnection,
    shop: &str,
    rules: &FeedbackRules,
    customer: &str,
    request: &FeedbackRequest,
    now: i64,
) -> Result<()> {
    let order: Option<(String, i64, i64, i64)> =
        sqlx::query_as("SELECT customer_id, created_at, total, refunded FROM orders WHERE shop_id = $1 AND id = $2")
            .bind(shop)
            .bind(&request.order_id)
            .fetch_optional(&mut *conn)
            .await?;
    // Another member's order is as unknown as a missing one.
    let Some((_, created_at, total, refunded)) = order.filter(|(owner, ..)| owner == customer) else {
        return Err(Error::UnknownOrder(request.order_id.clone()));
    };
    if !rules.accepts(created_at, total > 0 && refunded >= total, now) {
        return Err(Error::FeedbackClosed);
    }
    let inserted = sqlx::query(
        "INSERT INTO feedback (shop_id, order_id, customer_id, score, comment, points, at)
         VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING",
    )
    .bind(shop)
    .bind(&request.order_id)
    .bind(customer)
    .bind(i64::from(request.score))
    .bind(request.comment())
    .bind(rules.points)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    if inserted.rows_affected() == 0 {
        return Err(Error::AlreadyAnswered);
    }
    Ok(())
}

/// The answers given since `since`, as the Net Promoter Score and its split.
pub async fn nps(conn: &mut AnyConnection, shop: &str, since: i64) -> Result<NpsFigures> {
    let scores: Vec<i64> = sqlx::query_scalar("SELECT score FROM feedback WHERE shop_id = $1 AND at >= $2")
        .bind(shop)
        .bind(since)
        .fetch_all(&mut *conn)
        .await?;
    Ok(feedback::nps(scores.into_iter().map(|s| s.clamp(0, 10) as u8)))
}
