//! Importing an existing program (`POST .../imports/members`,
//! `.../imports/orders`, `lojal-server import`): members with their
//! opening balances, and past orders. The file is read and checked first
//! (`lojal_core::import`); then everything is written in one write
//! transaction, all or nothing (a dry run rolls it back).
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
//! as a live order would be (`app::ingest_order`).

use crate::app::ingest_order;
use crate::db::Db;
use crate::error::{Error, Result};
use crate::store::earning::Terms;
use crate::store::ledger::{self, Entry, Opening, Reason};
use crate::store::orders::NewOrder;
use crate::store::recommendations;
use crate::store::{birthdays, imports};
use lojal_core::import::{self, BadRow, MemberRow};
use lojal_core::program::Program;
use serde::Serialize;
use sqlx::AnyConnection;

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

impl Report {
    /// The report of a `kind` import of a file of `rows` data lines, before
    /// anything is written: the bad rows found while reading it.
    fn new(kind: &'static str, options: &Options, rows: usize, bad: Vec<BadRow>) -> Report {
        Report {
            kind,
            name: options.name.clone(),
            dry_run: options.dry_run,
            rows,
            imported: 0,
            already_imported: 0,
            skipped: bad,
            points: 0,
        }
    }
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
    let mut report = Report::new("members", options, checked.lines, checked.bad);
    let mut tx = db.begin_write().await?;
    let ids: Vec<&str> = checked.rows.iter().map(|m| m.id.as_str()).collect();
    let existing = imports::existing_members(&mut tx, shop, &ids).await?;
    let (old, new): (Vec<&MemberRow>, Vec<&MemberRow>) =
        checked.rows.iter().partition(|m| existing.contains(m.id.as_str()));

    let mut late: Vec<&MemberRow> = Vec::new();
    let created = imports::create_members(&mut tx, shop, &new, now).await?;
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
    let imported_before = imports::with_import_rows(&mut tx, shop, &old_ids).await?;
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

async fn finish(tx: crate::db::WriteTx, options: &Options) -> Result<()> {
    if options.dry_run {
        tx.rollback().await?;
    } else {
        tx.commit().await?;
    }
    Ok(())
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
    if imports::has_import_rows(conn, shop, customer).await? {
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
        // One the shopper set themselves stays.
        birthdays::set_if_unset(conn, shop, customer, birthday, now).await?;
    }
    imports::backdate_joined(conn, shop, customer, member.joined_at.unwrap_or(now)).await?;
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
    let mut report = Report::new("orders", options, checked.lines, checked.bad);
    let mut tx = db.begin_write().await?;
    let known = imports::known_orders(&mut tx, shop, &checked.rows).await?;
    let mut new = Vec::with_capacity(checked.rows.len());
    let mut conflicts = Vec::new();
    for order in &checked.rows {
        match known.get(order.id.as_str()) {
            None => new.push(order),
            Some(stored) if *stored == imports::Stored::of(order) => report.already_imported += 1,
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
            let terms = Terms::plain(&new_order.currency);
            let receipt = ingest_order::within(&mut tx, shop, program, &new_order, &terms, now).await?;
            report.points += receipt.points_awarded;
        }
    } else {
        imports::insert_orders(&mut tx, shop, &new, now).await?;
        if !new.is_empty() {
            recommendations::rebuild(&mut tx, shop).await?;
        }
    }
    report.imported = new.len();
    finish(tx, options).await?;
    Ok(report)
}
