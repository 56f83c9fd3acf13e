//! The rows an import writes and reads: members created in bulk, their
//! import rows, past orders stored in bulk. What an import does is a use
//! case (`app::import`).

use crate::error::{Error, Result};
use crate::store::{birthdays, codes};
use lojal_core::import::{MemberRow, OrderRow};
use sqlx::{AnyConnection, Row};
use std::collections::{HashMap, HashSet};

/// Ids per `IN (...)` or rows per multi-row statement: well under the
/// parameter limit of an old SQLite (999).
const CHUNK: usize = 100;

/// Which of `ids` are members of `shop` already.
pub async fn existing_members(conn: &mut AnyConnection, shop: &str, ids: &[&str]) -> Result<HashSet<String>> {
    ids_where(conn, "SELECT id FROM customers WHERE shop_id = $1 AND id IN", shop, ids).await
}

/// Which of `ids` have an opening balance from an import.
pub async fn with_import_rows(conn: &mut AnyConnection, shop: &str, ids: &[&str]) -> Result<HashSet<String>> {
    let sql = "SELECT DISTINCT customer_id FROM ledger WHERE shop_id = $1 AND reason = 'import' AND customer_id IN";
    ids_where(conn, sql, shop, ids).await
}

/// `select` (ending in `IN`) run over `ids` in chunks; its first column.
async fn ids_where(conn: &mut AnyConnection, select: &str, shop: &str, ids: &[&str]) -> Result<HashSet<String>> {
    let mut found = HashSet::new();
    for chunk in ids.chunks(CHUNK) {
        let sql = format!("{select} ({})", placeholders(2, chunk.len()));
        let mut query = sqlx::query_scalar::<_, String>(&sql).bind(shop);
        for id in chunk {
            query = query.bind(*id);
        }
        found.extend(query.fetch_all(&mut *conn).await?);
    }
    Ok(found)
}

fn placeholders(first: usize, n: usize) -> String {
    (first..first + n).map(|i| format!("${i}")).collect::<Vec<_>>().join(", ")
}

/// Creates `members` (none of whom was a member when looked up), with their
/// joined date, birthday and a referral code; returns those created. One
/// not created was enrolled meanwhile, or drew a referral code in use: the
/// latter are drawn again one by one.
pub async fn create_members(
    conn: &mut AnyConnection,
    shop: &str,
    members: &[&MemberRow],
    now: i64,
) -> Result<HashSet<String>> {
    let mut created = HashSet::with_capacity(members.len());
    let mut drawn = HashSet::with_capacity(members.len());
    for chunk in members.chunks(CHUNK) {
        let values: Vec<String> = (0..chunk.len())
            .map(|i| {
                let p = 2 + i * 7;
                format!("($1, ${p}, ${}, ${}, ${}, ${}, ${}, ${})", p + 1, p + 2, p + 3, p + 4, p + 5, p + 6)
            })
            .collect();
        let sql = format!(
            "INSERT INTO customers (shop_id, id, referral_code, created_at, joined_at, birthday_month, birthday_day,
                                    birthday_set_at)
             VALUES {} ON CONFLICT DO NOTHING RETURNING id",
            values.join(", ")
        );
        let mut query = sqlx::query_scalar::<_, String>(&sql).bind(shop);
        for member in chunk {
            let code = loop {
                let code = codes::referral_code();
                if drawn.insert(code.clone()) {
                    break code;
                }
            };
            let joined = member.joined_at.unwrap_or(now);
            query = query
                .bind(member.id.as_str())
                .bind(code)
                .bind(joined)
                .bind(joined)
                .bind(member.birthday.map(|b| i64::from(b.month)))
                .bind(member.birthday.map(|b| i64::from(b.day)))
                .bind(member.birthday.map(|_| now));
        }
        created.extend(query.fetch_all(&mut *conn).await?);
    }
    let missed: Vec<&MemberRow> = members.iter().copied().filter(|m| !created.contains(m.id.as_str())).collect();
    for member in missed {
        let joined = member.joined_at.unwrap_or(now);
        if create_one(conn, shop, member.id.as_str(), joined, Some(joined)).await? {
            // Just created, so it has none yet.
            if let Some(birthday) = member.birthday {
                birthdays::set_if_unset(conn, shop, member.id.as_str(), birthday, now).await?;
            }
            created.insert(member.id.as_str().to_owned());
        }
    }
    Ok(created)
}

/// Creates one customer, drawing referral codes until one is free; `false`
/// if they exist already.
async fn create_one(
    conn: &mut AnyConnection,
    shop: &str,
    id: &str,
    created_at: i64,
    joined_at: Option<i64>,
) -> Result<bool> {
    for _ in 0..5 {
        let inserted = sqlx::query(
            "INSERT INTO customers (shop_id, id, referral_code, created_at, joined_at) VALUES ($1, $2, $3, $4, $5)
             ON CONFLICT DO NOTHING",
        )
        .bind(shop)
        .bind(id)
        .bind(codes::referral_code())
        .bind(created_at)
        .bind(joined_at)
        .execute(&mut *conn)
        .await?;
        if inserted.rows_affected() == 1 {
            return Ok(true);
        }
        let found: Option<String> = sqlx::query_scalar("SELECT id FROM customers WHERE shop_id = $1 AND id = $2")
            .bind(shop)
            .bind(id)
            .fetch_optional(&mut *conn)
            .await?;
        if found.is_some() {
            return Ok(false);
        }
    }
    Err(Error::CodeSpaceExhausted)
}

/// An order as stored, as a file's order is compared with it.
#[derive(Debug, PartialEq, Eq)]
pub struct Stored {
    customer: String,
    total: i64,
    currency: String,
    items: Vec<(String, i64, i64)>,
}

impl Stored {
    pub fn of(order: &OrderRow) -> Stored {
        let mut items: Vec<(String, i64, i64)> = order.items.iter().map(|i| (i.sku.clone(), i.qty, i.price)).collect();
        items.sort();
        Stored { customer: order.customer.to_string(), total: order.total, currency: order.currency.clone(), items }
    }
}

/// The orders of the file that are stored already, by id.
pub async fn known_orders(
    conn: &mut AnyConnection,
    shop: &str,
    orders: &[OrderRow],
) -> Result<HashMap<String, Stored>> {
    let mut known: HashMap<String, Stored> = HashMap::new();
    for chunk in orders.chunks(CHUNK) {
        let list = placeholders(2, chunk.len());
        let sql = format!("SELECT id, customer_id, total, currency FROM orders WHERE shop_id = $1 AND id IN ({list})");
        let mut query = sqlx::query(&sql).bind(shop);
        for order in chunk {
            query = query.bind(order.id.as_str());
        }
        for row in query.fetch_all(&mut *conn).await? {
            let stored = Stored {
                customer: row.try_get("customer_id")?,
                total: row.try_get("total")?,
                currency: row.try_get("currency")?,
                items: Vec::new(),
            };
            known.insert(row.try_get("id")?, stored);
        }
        if known.is_empty() {
            continue;
        }
        let sql =
            format!("SELECT order_id, sku, qty, price FROM order_items WHERE shop_id = $1 AND order_id IN ({list})");
        let mut query = sqlx::query(&sql).bind(shop);
        for order in chunk {
            query = query.bind(order.id.as_str());
        }
        for row in query.fetch_all(&mut *conn).await? {
            let id: String = row.try_get("order_id")?;
            if let Some(stored) = known.get_mut(&id) {
                stored.items.push((row.try_get("sku")?, row.try_get("qty")?, row.try_get("price")?));
            }
        }
    }
    for stored in known.values_mut() {
        stored.items.sort();
    }
    Ok(known)
}

/// Stores past orders that earn nothing: their customers (created without a
/// sign-up bonus when new, not counted as members until they join), the
/// orders with no points and their lines.
pub async fn insert_orders(conn: &mut AnyConnection, shop: &str, orders: &[&OrderRow], now: i64) -> Result<()> {
    let mut customers: Vec<&str> = orders.iter().map(|o| o.customer.as_str()).collect();
    customers.sort_unstable();
    customers.dedup();
    let existing = existing_members(conn, shop, &customers).await?;
    for customer in customers.iter().filter(|c| !existing.contains(**c)) {
        create_one(conn, shop, customer, now, None).await?;
    }
    for chunk in orders.chunks(CHUNK) {
        let values: Vec<String> = (0..chunk.len())
            .map(|i| {
                let p = 2 + i * 5;
                format!("($1, ${p}, ${}, ${}, ${}, 0, ${}, 0)", p + 1, p + 2, p + 3, p + 4)
            })
            .collect();
        let sql = format!(
            "INSERT INTO orders (shop_id, id, customer_id, total, currency, points_awarded, created_at, credit_awarded)
             VALUES {} ON CONFLICT DO NOTHING",
            values.join(", ")
        );
        let mut query = sqlx::query(&sql).bind(shop);
        for order in chunk {
            query = query
                .bind(order.id.as_str())
                .bind(order.customer.as_str())
                .bind(order.total)
                .bind(order.currency.as_str())
                .bind(order.created_at);
        }
        let inserted = query.execute(&mut *conn).await?;
        if inserted.rows_affected() != chunk.len() as u64 {
            // Sent meanwhile through the API (PostgreSQL): try again.
            let id = chunk.first().map(|o| o.id.clone()).unwrap_or_default();
            return Err(Error::OrderConflict(id));
        }
    }
    let items: Vec<(&str, &lojal_core::requests::LineItem)> =
        orders.iter().flat_map(|o| o.items.iter().map(move |i| (o.id.as_str(), i))).collect();
    for chunk in items.chunks(CHUNK) {
        let values: Vec<String> = (0..chunk.len())
            .map(|i| {
                let p = 2 + i * 4;
                format!("($1, ${p}, ${}, ${}, ${})", p + 1, p + 2, p + 3)
            })
            .collect();
        let sql = format!("INSERT INTO order_items (shop_id, order_id, sku, qty, price) VALUES {}", values.join(", "));
        let mut query = sqlx::query(&sql).bind(shop);
        for (order, item) in chunk {
            query = query.bind(*order).bind(item.sku.as_str()).bind(item.qty).bind(item.price);
        }
        query.execute(&mut *conn).await?;
    }
    Ok(())
}

/// Whether `customer` has an opening balance from an import.
pub async fn has_import_rows(conn: &mut AnyConnection, shop: &str, customer: &str) -> Result<bool> {
    let rows: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM ledger WHERE shop_id = $1 AND customer_id = $2 AND reason = 'import'")
            .bind(shop)
            .bind(customer)
            .fetch_one(&mut *conn)
            .await?;
    Ok(rows > 0)
}

/// Moves a member's joined (and created) date back to `joined` when the
/// imported program knew them earlier.
pub async fn backdate_joined(conn: &mut AnyConnection, shop: &str, customer: &str, joined: i64) -> Result<()> {
    sqlx::query(
        "UPDATE customers SET joined_at = $1, created_at = CASE WHEN created_at > $1 THEN $1 ELSE created_at END
         WHERE shop_id = $2 AND id = $3 AND (joined_at IS NULL OR joined_at > $1)",
    )
    .bind(joined)
    .bind(shop)
    .bind(customer)
    .execute(&mut *conn)
    .await?;
    Ok(())
}
