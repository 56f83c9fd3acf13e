//! Orders: the purchases that earn points, their lines and their refunds,
//! as rows. What taking in an order or refunding one does is a use case
//! (`app::ingest_order`, `app::refund`); this only reads and writes the
//! rows they need.

use crate::error::Result;
use crate::store::ledger;
use lojal_core::identity::CustomerId;
use lojal_core::requests::LineItem;
use sqlx::{AnyConnection, Row};

#[derive(Debug, Clone)]
pub struct NewOrder {
    pub id: String,
    pub customer: CustomerId,
    /// Minor units.
    pub total: i64,
    pub currency: String,
    pub items: Vec<LineItem>,
    pub referral_code: Option<String>,
    /// Unix seconds.
    pub created_at: i64,
    /// Discount codes the order used (canonical form), marked used by it.
    pub codes: Vec<String>,
}

/// What an order earned, stored with it so that a refund can take back
/// its exact share.
#[derive(Debug, Clone, Copy)]
pub struct Earned<'a> {
    pub points: i64,
    /// Store credit (cashback), minor units of the shop's currency.
    pub credit: i64,
    /// The rate a foreign-currency order was converted at, as written.
    pub rate: Option<&'a str>,
    /// The order's total in the shop's currency.
    pub shop_total: i64,
    /// The value of the lines that earn nothing.
    pub excluded: i64,
}

/// An order id already stored, as a retry must match it.
#[derive(Debug, Clone)]
pub struct KnownOrder {
    pub customer: String,
    pub total: i64,
    pub currency: String,
    pub points_awarded: i64,
    /// `(sku, qty, price)` per line, in no particular order.
    pub items: Vec<(String, i64, i64)>,
}

/// The stored order `id`, with its lines.
pub async fn known(conn: &mut AnyConnection, shop: &str, id: &str) -> Result<Option<KnownOrder>> {
    let Some(row) =
        sqlx::query("SELECT customer_id, total, currency, points_awarded FROM orders WHERE shop_id = $1 AND id = $2")
            .bind(shop)
            .bind(id)
            .fetch_optional(&mut *conn)
            .await?
    else {
        return Ok(None);
    };
    let items: Vec<(String, i64, i64)> =
        sqlx::query_as("SELECT sku, qty, price FROM order_items WHERE shop_id = $1 AND order_id = $2")
            .bind(shop)
            .bind(id)
            .fetch_all(&mut *conn)
            .await?;
    Ok(Some(KnownOrder {
        customer: row.try_get("customer_id")?,
        total: row.try_get("total")?,
        currency: row.try_get("currency")?,
        points_awarded: row.try_get("points_awarded")?,
        items,
    }))
}

/// Inserts the order row if its id is new; false when the id is taken. A
/// concurrent insert of the same id waits on the unique key here and then
/// finds the other's row, instead of failing (and, on PostgreSQL, aborting
/// the transaction).
pub async fn insert(conn: &mut AnyConnection, shop: &str, order: &NewOrder, earned: Earned<'_>) -> Result<bool> {
    let inserted = sqlx::query(
        "INSERT INTO orders (shop_id, id, customer_id, total, currency, points_awarded, referral_code, created_at,
                             credit_awarded, rate, shop_total, shop_refunded, excluded)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) ON CONFLICT DO NOTHING",
    )
    .bind(shop)
    .bind(&order.id)
    .bind(order.customer.as_str())
    .bind(order.total)
    .bind(&order.currency)
    .bind(earned.points)
    .bind(order.referral_code.as_deref())
    .bind(order.created_at)
    .bind(earned.credit)
    .bind(earned.rate)
    // The shop's-currency figures are kept for converted orders only.
    .bind(earned.rate.map(|_| earned.shop_total))
    .bind(earned.rate.map(|_| 0_i64))
    .bind(earned.excluded)
    .execute(&mut *conn)
    .await?;
    Ok(inserted.rows_affected() == 1)
}

/// The order's lines, each marked when it earns nothing.
pub async fn insert_items(
    conn: &mut AnyConnection,
    shop: &str,
    order_id: &str,
    items: &[LineItem],
    excluded: &[bool],
) -> Result<()> {
    // A few multi-row statements rather than one per line: each statement
    // is a round trip to SQLite's worker thread, inside the write lock.
    // 4 values a row: 200 rows bind 802 parameters, under SQLite's 999.
    let lines: Vec<(&LineItem, &bool)> = items.iter().zip(excluded).collect();
    for chunk in lines.chunks(200) {
        let rows: Vec<String> = (0..chunk.len())
            .map(|row| {
                let first = 3 + row * 4;
                format!("($1, $2, ${}, ${}, ${}, ${})", first, first + 1, first + 2, first + 3)
            })
            .collect();
        let sql = format!(
            "INSERT INTO order_items (shop_id, order_id, sku, qty, price, excluded) VALUES {}",
            rows.join(", ")
        );
        let mut query = sqlx::query(&sql).bind(shop).bind(order_id);
        for (item, excluded) in chunk {
            query = query.bind(&item.sku).bind(item.qty).bind(item.price).bind(i64::from(**excluded));
        }
        query.execute(&mut *conn).await?;
    }
    Ok(())
}

/// Locks `customer` and, when given, `other`, always in the same order
/// (by id), so that two transactions locking the same pair queue instead
/// of deadlocking.
pub async fn lock_members(conn: &mut AnyConnection, shop: &str, customer: &str, other: Option<&str>) -> Result<()> {
    let mut ids = vec![customer];
    ids.extend(other.filter(|o| *o != customer));
    ids.sort_unstable();
    for id in ids {
        ledger::lock_member(conn, shop, id).await?;
    }
    Ok(())
}

/// The member's lifetime points, which place them in a tier.
pub async fn lifetime_points(conn: &mut AnyConnection, shop: &str, customer: &str) -> Result<i64> {
    Ok(sqlx::query_scalar("SELECT lifetime_points FROM customers WHERE shop_id = $1 AND id = $2")
        .bind(shop)
        .bind(customer)
        .fetch_one(&mut *conn)
        .await?)
}

/// Whether the member has an order that paid something (a 0 order does
/// not make a referral: it earns nothing and could never be refunded).
pub async fn has_paid_orders(conn: &mut AnyConnection, shop: &str, customer: &str) -> Result<bool> {
    let found: Option<String> =
        sqlx::query_scalar("SELECT id FROM orders WHERE shop_id = $1 AND customer_id = $2 AND total > 0 LIMIT 1")
            .bind(shop)
            .bind(customer)
            .fetch_optional(&mut *conn)
            .await?;
    Ok(found.is_some())
}

/// The member's paid orders that were not refunded in full: what "the
/// n-th order" counts (an order of 0, paid with a free code say, is none).
pub async fn kept_orders(conn: &mut AnyConnection, shop: &str, customer: &str) -> Result<i64> {
    Ok(sqlx::query_scalar(
        "SELECT COUNT(*) FROM orders WHERE shop_id = $1 AND customer_id = $2 AND total > 0 AND refunded < total",
    )
    .bind(shop)
    .bind(customer)
    .fetch_one(&mut *conn)
    .await?)
}

/// Takes the shop's lock on referral links: links are made one at a time
/// per shop, so a chain read under it cannot change under another first
/// order's link (two at once could otherwise close a loop of four members,
/// each seeing the other's link unmade).
pub async fn lock_referral_links(conn: &mut AnyConnection, shop: &str) -> Result<()> {
    sqlx::query("UPDATE shops SET name = name WHERE id = $1").bind(shop).execute(&mut *conn).await?;
    Ok(())
}

/// Records that `referrer` brought `customer` with order `order_id`: on the
/// member (who referred them) and on the order (whose bonus a full refund
/// takes back).
pub async fn link_referral(
    conn: &mut AnyConnection,
    shop: &str,
    customer: &str,
    referrer: &str,
    order_id: &str,
) -> Result<()> {
    sqlx::query("UPDATE customers SET referred_by = $1 WHERE shop_id = $2 AND id = $3")
        .bind(referrer)
        .bind(shop)
        .bind(customer)
        .execute(&mut *conn)
        .await?;
    sqlx::query("UPDATE orders SET referrer_id = $1 WHERE shop_id = $2 AND id = $3")
        .bind(referrer)
        .bind(shop)
        .bind(order_id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// An order as a refund needs it.
#[derive(Debug, Clone)]
pub struct Refundable {
    pub customer: String,
    pub total: i64,
    pub points_awarded: i64,
    pub credit_awarded: i64,
    pub referrer: Option<String>,
    /// The value of its lines that earned nothing.
    pub excluded: i64,
    pub currency: String,
    pub rate: Option<String>,
    pub shop_total: Option<i64>,
}

/// Order `id` as a refund reads it, `None` when there is no such order.
pub async fn refundable(conn: &mut AnyConnection, shop: &str, id: &str) -> Result<Option<Refundable>> {
    let row = sqlx::query(
        "SELECT customer_id, total, points_awarded, credit_awarded, referrer_id, excluded, currency, rate,
                shop_total FROM orders
         WHERE shop_id = $1 AND id = $2",
    )
    .bind(shop)
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?;
    row.map(|row| {
        Ok(Refundable {
            customer: row.try_get("customer_id")?,
            total: row.try_get("total")?,
            points_awarded: row.try_get("points_awarded")?,
            credit_awarded: row.try_get("credit_awarded")?,
            referrer: row.try_get("referrer_id")?,
            excluded: row.try_get("excluded")?,
            currency: row.try_get("currency")?,
            rate: row.try_get("rate")?,
            shop_total: row.try_get("shop_total")?,
        })
    })
    .transpose()
}

/// How much of order `id` was refunded so far, and of its earning lines.
pub async fn refunded_so_far(conn: &mut AnyConnection, shop: &str, id: &str) -> Result<lojal_core::points::Refunded> {
    let (amount, earning): (i64, i64) =
        sqlx::query_as("SELECT refunded, earning_refunded FROM orders WHERE shop_id = $1 AND id = $2")
            .bind(shop)
            .bind(id)
            .fetch_one(&mut *conn)
            .await?;
    Ok(lojal_core::points::Refunded { amount, earning })
}

/// The refund of order `order_id` recorded under `refund_id`: the points
/// it reversed and its amount.
pub async fn earlier_refund(
    conn: &mut AnyConnection,
    shop: &str,
    order_id: &str,
    refund_id: &str,
) -> Result<Option<(i64, i64)>> {
    Ok(sqlx::query_as("SELECT points_reversed, amount FROM refunds WHERE shop_id = $1 AND order_id = $2 AND id = $3")
        .bind(shop)
        .bind(order_id)
        .bind(refund_id)
        .fetch_optional(&mut *conn)
        .await?)
}

/// One refund's part, added to the order's running figures.
#[derive(Debug, Clone, Copy)]
pub struct RefundPart {
    /// Minor units refunded.
    pub amount: i64,
    /// Points taken back.
    pub points: i64,
    /// Minor units of the earning lines refunded.
    pub earning: i64,
    /// The order's refunded part so far in the shop's currency (converted
    /// orders only).
    pub shop_refunded: Option<i64>,
    /// Store credit taken back.
    pub credit: i64,
}

/// Adds `part` to order `id`'s refunded figures.
pub async fn add_refunded(conn: &mut AnyConnection, shop: &str, id: &str, part: RefundPart) -> Result<()> {
    sqlx::query(
        "UPDATE orders SET refunded = refunded + $1, points_reversed = points_reversed + $2,
                           earning_refunded = earning_refunded + $3,
                           shop_refunded = $4, credit_reversed = credit_reversed + $5
         WHERE shop_id = $6 AND id = $7",
    )
    .bind(part.amount)
    .bind(part.points)
    .bind(part.earning)
    .bind(part.shop_refunded)
    .bind(part.credit)
    .bind(shop)
    .bind(id)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Records refund `refund_id` of order `order_id`, so a retry answers as
/// the first time.
pub async fn record_refund(
    conn: &mut AnyConnection,
    shop: &str,
    order_id: &str,
    refund_id: &str,
    amount: i64,
    points_reversed: i64,
    at: i64,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO refunds (shop_id, order_id, id, amount, points_reversed, created_at) VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(shop)
    .bind(order_id)
    .bind(refund_id)
    .bind(amount)
    .bind(points_reversed)
    .bind(at)
    .execute(&mut *conn)
    .await?;
    Ok(())
}
