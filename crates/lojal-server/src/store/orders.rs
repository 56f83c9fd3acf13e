//! Orders: the purchases that earn points. Ingestion is idempotent by order
//! id, and the order, its items and its ledger row commit together or not
//! at all.

use crate::error::Result;
use crate::store::members::{self, LedgerEntry, Reason};
use lojal_core::identity::CustomerId;
use lojal_core::program::Program;
use lojal_core::{points, tiers};
use sqlx::AnyConnection;

#[derive(Debug, Clone)]
pub struct NewOrder {
    pub id: String,
    pub customer: CustomerId,
    /// Minor units.
    pub total: i64,
    pub currency: String,
    pub items: Vec<OrderItem>,
    /// Unix seconds.
    pub created_at: i64,
}

#[derive(Debug, Clone)]
pub struct OrderItem {
    pub sku: String,
    pub qty: i64,
    pub price: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Receipt {
    pub points_awarded: i64,
    /// The member's balance after the order.
    pub points: i64,
    /// True when this order id was already known: nothing was written.
    pub duplicate: bool,
}

/// Records `order` and the points it earns, at the tier the customer holds
/// when it arrives. Run inside a transaction (`conn` is one).
pub async fn ingest(
    conn: &mut AnyConnection,
    shop: &str,
    program: &Program,
    order: &NewOrder,
) -> Result<Receipt> {
    members::ensure(conn, shop, &order.customer).await?;
    let lifetime: i64 =
        sqlx::query_scalar("SELECT lifetime_points FROM customers WHERE shop_id = $1 AND id = $2")
            .bind(shop)
            .bind(order.customer.as_str())
            .fetch_one(&mut *conn)
            .await?;
    let multiplier = tiers::tier_for(&program.tiers, lifetime).map_or(1.0, |t| t.multiplier);
    let awarded = points::for_purchase(program, order.total, multiplier);

    let inserted = sqlx::query(
        "INSERT INTO orders (shop_id, id, customer_id, total, currency, points_awarded, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (shop_id, id) DO NOTHING",
    )
    .bind(shop)
    .bind(&order.id)
    .bind(order.customer.as_str())
    .bind(order.total)
    .bind(&order.currency)
    .bind(awarded)
    .bind(order.created_at)
    .execute(&mut *conn)
    .await?;
    if inserted.rows_affected() == 0 {
        let (points_awarded, customer): (i64, String) = sqlx::query_as(
            "SELECT points_awarded, customer_id FROM orders WHERE shop_id = $1 AND id = $2",
        )
        .bind(shop)
        .bind(&order.id)
        .fetch_one(&mut *conn)
        .await?;
        let points = balance(conn, shop, &customer).await?;
        return Ok(Receipt {
            points_awarded,
            points,
            duplicate: true,
        });
    }
    for item in &order.items {
        sqlx::query("INSERT INTO order_items (shop_id, order_id, sku, qty, price) VALUES ($1, $2, $3, $4, $5)")
            .bind(shop)
            .bind(&order.id)
            .bind(&item.sku)
            .bind(item.qty)
            .bind(item.price)
            .execute(&mut *conn)
            .await?;
    }
    if awarded != 0 {
        let entry = LedgerEntry {
            delta: awarded,
            reason: Reason::Earn,
            order_id: Some(&order.id),
            at: order.created_at,
        };
        members::record(conn, shop, &order.customer, entry).await?;
    }
    let points = balance(conn, shop, order.customer.as_str()).await?;
    Ok(Receipt {
        points_awarded: awarded,
        points,
        duplicate: false,
    })
}

async fn balance(conn: &mut AnyConnection, shop: &str, customer: &str) -> Result<i64> {
    Ok(
        sqlx::query_scalar("SELECT points FROM customers WHERE shop_id = $1 AND id = $2")
            .bind(shop)
            .bind(customer)
            .fetch_one(&mut *conn)
            .await?,
    )
}
