//! The stamp card as stored: stamps on a member's current card and the
//! events that moved them, each at most once per order.

use crate::error::Result;
use crate::store::{ledger, redemptions};
use lojal_core::api::StampCardView;
use lojal_core::program::Program;
use lojal_core::stamp_card::StampCard;
use sqlx::{AnyConnection, Row};

async fn stored(conn: &mut AnyConnection, shop: &str, customer: &str) -> Result<Option<i64>> {
    Ok(sqlx::query_scalar("SELECT stamps FROM customers WHERE shop_id = $1 AND id = $2")
        .bind(shop)
        .bind(customer)
        .fetch_optional(&mut *conn)
        .await?
        .flatten())
}

async fn set(conn: &mut AnyConnection, shop: &str, customer: &str, stamps: i64) -> Result<()> {
    sqlx::query("UPDATE customers SET stamps = $1 WHERE shop_id = $2 AND id = $3")
        .bind(stamps)
        .bind(shop)
        .bind(customer)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// A new order's stamp, and the card's reward code if it filled up. In the
/// order's transaction.
pub async fn punch(
    conn: &mut AnyConnection,
    shop: &str,
    program: &Program,
    customer: &str,
    order_id: &str,
    total: i64,
    now: i64,
) -> Result<()> {
    let Some(card) = &program.stamp_card else { return Ok(()) };
    // Two orders of one member at once must not both read the same card.
    ledger::lock_member(conn, shop, customer).await?;
    let Some(punch) = card.punch(stored(conn, shop, customer).await?, total) else { return Ok(()) };
    // The program's check keeps the card's reward among its rewards.
    let code = match program.reward(&card.reward_id).filter(|_| punch.completed) {
        Some(reward) => Some(redemptions::issue(conn, shop, customer, reward, 0, now).await?),
        None => None,
    };
    set(conn, shop, customer, punch.stamps).await?;
    event(conn, shop, order_id, "punch", customer, punch.stamps, code.as_deref(), now).await
}

/// A fully refunded order takes its stamp back, once.
pub async fn unpunch(
    conn: &mut AnyConnection,
    shop: &str,
    card: &StampCard,
    customer: &str,
    order_id: &str,
    now: i64,
) -> Result<()> {
    let punched: Option<String> =
        sqlx::query_scalar("SELECT kind FROM stamp_events WHERE shop_id = $1 AND order_id = $2 AND kind = 'punch'")
            .bind(shop)
            .bind(order_id)
            .fetch_optional(&mut *conn)
            .await?;
    if punched.is_none() {
        return Ok(());
    }
    let stamps = card.unpunch(stored(conn, shop, customer).await?);
    let inserted = event(conn, shop, order_id, "unpunch", customer, stamps, None, now).await;
    set(conn, shop, customer, stamps).await?;
    inserted
}

#[allow(clippy::too_many_arguments)]
async fn event(
    conn: &mut AnyConnection,
    shop: &str,
    order_id: &str,
    kind: &str,
    customer: &str,
    stamps_after: i64,
    code: Option<&str>,
    at: i64,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO stamp_events (shop_id, order_id, kind, customer_id, stamps_after, code, at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(shop)
    .bind(order_id)
    .bind(kind)
    .bind(customer)
    .bind(stamps_after)
    .bind(code)
    .bind(at)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// The card as a shopper sees it: a member's stamps and the code of their
/// last full card; for a guest (`None`), the head start joining gives.
pub async fn view(
    conn: &mut AnyConnection,
    shop: &str,
    program: &Program,
    card: &StampCard,
    customer: Option<&str>,
) -> Result<StampCardView> {
    let (filled, latest_code) = match customer {
        Some(customer) => {
            let filled = card.current(stored(conn, shop, customer).await?);
            let code = sqlx::query(
                "SELECT code FROM stamp_events WHERE shop_id = $1 AND customer_id = $2 AND code IS NOT NULL
                 ORDER BY at DESC LIMIT 1",
            )
            .bind(shop)
            .bind(customer)
            .fetch_optional(&mut *conn)
            .await?
            .map(|row| row.try_get::<String, _>("code"))
            .transpose()?;
            (filled, code)
        }
        None => (card.head_start, None),
    };
    Ok(StampCardView {
        title: card.title.clone(),
        stamps: card.stamps,
        filled,
        min_order: card.min_order,
        reward_title: program.reward(&card.reward_id).map(|r| r.title.clone()).unwrap_or_default(),
        latest_code,
    })
}
