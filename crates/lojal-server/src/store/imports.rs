//! Importing an existing program: members with their opening balances, and
//! past orders. The file is read and checked first (`lojal_core::import`);
//! then everything is written in one write transaction, all or nothing.
//!
//! **Members.** A member not yet in Lojal is created (no sign-up bonus, no
//! `member.joined` event) with their opening balance written in bulk by
//! `ledger::open`: an `import` row of their lifetime points and an
//! `import_spent` row of the part already spent, both noted with the
//! import's name. A member already in Lojal (signed in, or known from an
//! order) gets the same two rows through `ledger::post`. A member who has an
//! `import` row already is left alone: running an import again, or another
//! file naming them, pays nobody twice.
//!
//! **Orders** are idempotent by id: an order already stored is skipped when
//! it is the same order, and a bad row when it is not. By default they earn
//! nothing (no ledger rows, no bonuses, no stamps): they are the shop's
//! history, for recommendations and metrics; with `earn` each is ingested
//! as a live order would be.

use crate::db::Db;
use crate::error::{Error, Result};
use crate::store::ledger::{self, Entry, Opening, Reason};
use crate::store::orders::{self, NewOrder};
use crate::store::{codes, recommendations};
use lojal_core::import::{self, BadRow, MemberRow, OrderRow};
use lojal_core::program::Program;
use serde::Serialize;
use sqlx::{AnyConnection, Row};
use std::collections::{HashMap, HashSet};

/// Ids per `IN (...)` or rows per multi-row statement: well under the
/// parameter limit of an old SQLite (999).
const CHUNK: usize = 100;

/// How an import runs.
#[derive(Debug, Clone)]
pub struct Options {
    /// Noted on every ledger row the import writes ("where it came from").
    pub name: String,
    /// Check everything and say what would happen; write nothing.
    pub dry_run: bool,
    /// Import the good rows and report the bad; otherwise a bad row refuses
    /// the whole file.
    pub skip_bad_rows: bool,
    /// Orders only: earn points (and everything an order brings) as if live.
    pub earn: bool,
}

impl Options {
    /// The name, checked: 1 to 128 characters without control characters.
    pub fn check(&self) -> Result<()> {
        lojal_core::requests::check_external_id("name", &self.name)?;
        Ok(())
    }
}

/// What an import did (or, dry, would do).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Report {
    /// `members` or `orders`.
    pub kind: &'static str,
    pub name: String,
    pub dry_run: bool,
    /// Data lines in the file.
    pub rows: usize,
    /// Members (or orders) written by this import.
    pub imported: usize,
    /// Members with an opening balance from an earlier import, or orders
    /// already stored as they are in the file: left as they are.
    pub already_imported: usize,
    /// The rows left out, with what is wrong with each (only when skipping
    /// bad rows; otherwise a bad row refuses the file).
    pub skipped: Vec<BadRow>,
    /// Points written: the opening balances, or what the orders earned.
    pub points: i64,
}

/// Imports a members file into `shop`.
pub async fn members(
    db: &Db,
    shop: &str,
    program: &Program,
    data: &[u8],
    options: &Options,
    now: i64,
) -> Result<Report> {
    options.check()?;
    let checked = import::members(data, now)?;
    refuse_bad_rows(&checked.bad, options)?;
    let mut report = Report {
        kind: "members",
        name: options.name.clone(),
        dry_run: options.dry_run,
        rows: checked.lines,
        imported: 0,
        already_imported: 0,
        skipped: checked.bad,
        points: 0,
    };
    let mut tx = db.begin_write().await?;
    let ids: Vec<&str> = checked.rows.iter().map(|m| m.id.as_str()).collect();
    let existing = existing_members(&mut tx, shop, &ids).await?;
    let (old, new): (Vec<&MemberRow>, Vec<&MemberRow>) =
        checked.rows.iter().partition(|m| existing.contains(m.id.as_str()));

    let mut late: Vec<&MemberRow> = Vec::new();
    let created = create_members(&mut tx, shop, &new, now).await?;
    let mut openings = Vec::with_capacity(created.len());
    for member in new {
        if created.contains(member.id.as_str()) {
            openings.push(Opening {
                customer: member.id.as_str(),
                lifetime: member.lifetime_points,
                spent: member.spent(),
            });
            report.imported += 1;
            report.points += member.points;
        } else {
            // Enrolled meanwhile (PostgreSQL): as any member already here.
            late.push(member);
        }
    }
    ledger::open(&mut tx, shop, program, &openings, &options.name, now).await?;

    let old_ids: Vec<&str> = old.iter().map(|m| m.id.as_str()).collect();
    let imported_before = with_import_rows(&mut tx, shop, &old_ids).await?;
    for member in old.into_iter().chain(late) {
        if imported_before.contains(member.id.as_str())
            || !open_existing(&mut tx, shop, program, member, options, now).await?
        {
            report.already_imported += 1;
        } else {
            report.imported += 1;
            report.points += member.points;
        }
    }
    finish(tx, options).await?;
    Ok(report)
}

/// Refuses the file if it has bad rows and the merchant did not ask to
/// skip them.
fn refuse_bad_rows(bad: &[BadRow], options: &Options) -> Result<()> {
    if !bad.is_empty() && !options.skip_bad_rows {
        return Err(Error::BadImport(import::summary(bad)));
    }
    Ok(())
}

async fn finish(tx: sqlx::Transaction<'static, sqlx::Any>, options: &Options) -> Result<()> {
    if options.dry_run {
        tx.rollback().await?;
    } else {
        tx.commit().await?;
    }
    Ok(())
}

/// Which of `ids` are members of `shop` already.
async fn existing_members(conn: &mut AnyConnection, shop: &str, ids: &[&str]) -> Result<HashSet<String>> {
    ids_where(conn, "SELECT id FROM customers WHERE shop_id = $1 AND id IN", shop, ids).await
}

/// Which of `ids` have an opening balance from an import.
async fn with_import_rows(conn: &mut AnyConnection, shop: &str, ids: &[&str]) -> Result<HashSet<String>> {
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
async fn create_members(
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
            sqlx::query(
                "UPDATE customers SET birthday_month = $1, birthday_day = $2, birthday_set_at = $3
                 WHERE shop_id = $4 AND id = $5",
            )
            .bind(member.birthday.map(|b| i64::from(b.month)))
            .bind(member.birthday.map(|b| i64::from(b.day)))
            .bind(member.birthday.map(|_| now))
            .bind(shop)
            .bind(member.id.as_str())
            .execute(&mut *conn)
            .await?;
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

/// The opening balance of a member already in Lojal, through the ledger's
/// one door, with their birthday (if they set none) and the earlier joined
/// date; `false` if an import paid them before.
async fn open_existing(
    conn: &mut AnyConnection,
    shop: &str,
    program: &Program,
    member: &MemberRow,
    options: &Options,
    now: i64,
) -> Result<bool> {
    let customer = member.id.as_str();
    ledger::lock_member(conn, shop, customer).await?;
    let before: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM ledger WHERE shop_id = $1 AND customer_id = $2 AND reason = 'import'")
            .bind(shop)
            .bind(customer)
            .fetch_one(&mut *conn)
            .await?;
    if before > 0 {
        return Ok(false);
    }
    if member.lifetime_points > 0 {
        let entry = Entry::new(Reason::Import, member.lifetime_points, now).note(&options.name);
        ledger::post(conn, shop, customer, program, entry, now).await?;
    }
    if member.spent() > 0 {
        let entry = Entry::new(Reason::ImportSpent, -member.spent(), now).note(&options.name);
        ledger::post(conn, shop, customer, program, entry, now).await?;
    }
    if let Some(birthday) = member.birthday {
        sqlx::query(
            "UPDATE customers SET birthday_month = $1, birthday_day = $2, birthday_set_at = $3
             WHERE shop_id = $4 AND id = $5 AND birthday_month IS NULL",
        )
        .bind(i64::from(birthday.month))
        .bind(i64::from(birthday.day))
        .bind(now)
        .bind(shop)
        .bind(customer)
        .execute(&mut *conn)
        .await?;
    }
    let joined = member.joined_at.unwrap_or(now);
    sqlx::query(
        "UPDATE customers SET joined_at = $1, created_at = CASE WHEN created_at > $1 THEN $1 ELSE created_at END
         WHERE shop_id = $2 AND id = $3 AND (joined_at IS NULL OR joined_at > $1)",
    )
    .bind(joined)
    .bind(shop)
    .bind(customer)
    .execute(&mut *conn)
    .await?;
    Ok(true)
}

/// Imports an orders file into `shop` (whose currency the orders must be in).
pub async fn orders(
    db: &Db,
    shop: &str,
    currency: &str,
    program: &Program,
    data: &[u8],
    options: &Options,
    now: i64,
) -> Result<Report> {
    options.check()?;
    let checked = import::orders(data, currency, now)?;
    refuse_bad_rows(&checked.bad, options)?;
    let mut report = Report {
        kind: "orders",
        name: options.name.clone(),
        dry_run: options.dry_run,
        rows: checked.lines,
        imported: 0,
        already_imported: 0,
        skipped: checked.bad,
        points: 0,
    };
    let mut tx = db.begin_write().await?;
    let known = known_orders(&mut tx, shop, &checked.rows).await?;
    let mut new = Vec::with_capacity(checked.rows.len());
    let mut conflicts = Vec::new();
    for order in &checked.rows {
        match known.get(order.id.as_str()) {
            None => new.push(order),
            Some(stored) if *stored == Stored::of(order) => report.already_imported += 1,
            Some(_) => conflicts.push(BadRow {
                line: order.line,
                problem: format!(
                    "order `{}` is stored already with another customer, total, currency or lines (skipped)",
                    order.id
                ),
            }),
        }
    }
    if !conflicts.is_empty() {
        refuse_bad_rows(&conflicts, options)?;
        report.skipped.extend(conflicts);
        report.skipped.sort_by_key(|b| b.line);
    }
    if options.earn {
        for order in &new {
            let new_order = NewOrder {
                id: order.id.clone(),
                customer: order.customer.clone(),
                total: order.total,
                currency: order.currency.clone(),
                items: order.items.clone(),
                referral_code: None,
                created_at: order.created_at,
                codes: Vec::new(),
            };
            let receipt = orders::ingest(&mut tx, shop, program, &new_order, now).await?;
            report.points += receipt.points_awarded;
        }
    } else {
        insert_orders(&mut tx, shop, &new, now).await?;
        if !new.is_empty() {
            recommendations::rebuild(&mut tx, shop).await?;
        }
    }
    report.imported = new.len();
    finish(tx, options).await?;
    Ok(report)
}

/// An order as stored, as a file's order is compared with it.
#[derive(Debug, PartialEq, Eq)]
struct Stored {
    customer: String,
    total: i64,
    currency: String,
    items: Vec<(String, i64, i64)>,
}

impl Stored {
    fn of(order: &OrderRow) -> Stored {
        let mut items: Vec<(String, i64, i64)> = order.items.iter().map(|i| (i.sku.clone(), i.qty, i.price)).collect();
        items.sort();
        Stored { customer: order.customer.to_string(), total: order.total, currency: order.currency.clone(), items }
    }
}

/// The orders of the file that are stored already, by id.
async fn known_orders(conn: &mut AnyConnection, shop: &str, orders: &[OrderRow]) -> Result<HashMap<String, Stored>> {
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
async fn insert_orders(conn: &mut AnyConnection, shop: &str, orders: &[&OrderRow], now: i64) -> Result<()> {
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
