//! The stamp card as stored: stamps on a member's current card and the
//! events that moved them, each at most once per order.

use crate::error::Result;
use lojal_core::api::StampCardView;
use lojal_core::program::Program;
use lojal_core::stamp_card::StampCard;
use sqlx::{AnyConnection, Row};

/// The stamps on a member's current card as stored (`None`: never punched).
pub async fn stored(conn: &mut AnyConnection, shop: &str, customer: &str) -> Result<Option<i64>> {
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

/// Records a new order's stamp: the member's card at `stamps`, and the
/// event with the reward `code` issued if it filled up. The card was read
/// ([`stored`]) under the member's lock (see `app::punch_card`).
pub async fn record_punch(
    conn: &mut AnyConnection,
    shop: &str,
    customer: &str,
    order_id: &str,
    stamps: i64,
    code: Option<&str>,
    now: i64,
) -> Result<()> {
    set(conn, shop, customer, stamps).await?;
    event(conn, shop, order_id, "punch", customer, stamps, code, now).await
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
