//! `lojal-server ledger verify`: the invariants a ledger auditor checks,
//! read from the stored rows alone. Points are money, so these must hold
//! after any sequence of orders, refunds, expiry, redemptions and actions;
//! the tests and the benchmark run this after their load.

use crate::db::Db;
use crate::error::Result;
use crate::store::ledger::{Ledger, Reason};
use crate::store::shops;
use lojal_core::expiry;
use sqlx::Row;
use std::collections::HashMap;

/// One broken invariant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub shop: String,
    pub what: String,
}

/// What was checked, and what failed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Report {
    pub shops: usize,
    pub members: usize,
    pub findings: Vec<Finding>,
}

/// Checks every shop (or `only` one) and returns what is wrong; the
/// ledgers are replayed up to `now`.
pub async fn verify(db: &Db, only: Option<&str>, now: i64) -> Result<Report> {
    let ids: Vec<String> = match only {
        Some(id) => vec![shops::get(db, id).await?.id],
        None => sqlx::query_scalar("SELECT id FROM shops ORDER BY id").fetch_all(&db.pool).await?,
    };
    let mut report = Report { shops: ids.len(), ..Report::default() };
    for shop in ids {
        let mut findings = Vec::new();
        cached_balances(db, &shop, &mut findings).await?;
        refunds(db, &shop, &mut findings).await?;
        referrals(db, &shop, &mut findings).await?;
        codes(db, &shop, &mut findings).await?;
        voided_codes(db, &shop, &mut findings).await?;
        report.members += replays(db, &shop, now, &mut findings).await?;
        report.findings.extend(findings.into_iter().map(|what| Finding { shop: shop.clone(), what }));
    }
    Ok(report)
}

/// Every cached balance equals its ledger's sum: points, lifetime points
/// (the rows that count towards a tier) and store credit.
async fn cached_balances(db: &Db, shop: &str, findings: &mut Vec<String>) -> Result<()> {
    let sum_of = |table: &str| {
        format!(
            "SELECT CAST(COALESCE(SUM(l.delta), 0) AS BIGINT) FROM {table} l
             WHERE l.shop_id = c.shop_id AND l.customer_id = c.id"
        )
    };
    let tier_reasons: Vec<String> = Reason::towards_tier().map(|r| format!("'{}'", r.as_str())).collect();
    let checks = [
        ("points", sum_of("ledger")),
        ("lifetime_points", format!("{} AND l.reason IN ({})", sum_of("ledger"), tier_reasons.join(", "))),
        ("credit", sum_of("credit_ledger")),
    ];
    for (column, sum) in checks {
        let rows = sqlx::query(&format!(
            "SELECT c.id, c.{column} AS cached, ({sum}) AS summed FROM customers c
             WHERE c.shop_id = $1 AND c.{column} <> ({sum})"
        ))
        .bind(shop)
        .fetch_all(&db.pool)
        .await?;
        for row in rows {
            let (id, cached, summed): (String, i64, i64) =
                (row.try_get("id")?, row.try_get("cached")?, row.try_get("summed")?);
            findings.push(format!("member {id}: cached {column} {cached}, but the ledger sums to {summed}"));
        }
    }
    Ok(())
}

/// Every order's reversals add up to what the order notes as reversed,
/// and never to more than it earned.
async fn refunds(db: &Db, shop: &str, findings: &mut Vec<String>) -> Result<()> {
    let rows = sqlx::query(
        "SELECT o.id, o.points_awarded, o.points_reversed,
                (SELECT CAST(COALESCE(-SUM(l.delta), 0) AS BIGINT) FROM ledger l
                 WHERE l.shop_id = o.shop_id AND l.order_id = o.id AND l.reason = 'refund') AS taken
         FROM orders o WHERE o.shop_id = $1",
    )
    .bind(shop)
    .fetch_all(&db.pool)
    .await?;
    for row in rows {
        let (id, awarded, reversed, taken): (String, i64, i64, i64) = (
            row.try_get("id")?,
            row.try_get("points_awarded")?,
            row.try_get("points_reversed")?,
            row.try_get("taken")?,
        );
        if taken != reversed {
            findings.push(format!("order {id}: refund rows take {taken} points, the order notes {reversed}"));
        }
        if taken > awarded.max(0) || taken < 0 {
            findings.push(format!("order {id}: refunds took {taken} points of the {awarded} it earned"));
        }
    }
    Ok(())
}

/// A referral bonus is paid at most once per referred order, and a member
/// is referred at most once.
async fn referrals(db: &Db, shop: &str, findings: &mut Vec<String>) -> Result<()> {
    let twice: Vec<(Option<String>, i64)> = sqlx::query_as(
        "SELECT order_id, COUNT(*) FROM ledger WHERE shop_id = $1 AND reason = 'referral' AND delta > 0
         GROUP BY order_id HAVING COUNT(*) > 1",
    )
    .bind(shop)
    .fetch_all(&db.pool)
    .await?;
    for (order, times) in twice {
        findings.push(format!("order {}: the referral bonus was paid {times} times", order.unwrap_or_default()));
    }
    let referred_twice: Vec<(String, i64)> = sqlx::query_as(
        "SELECT customer_id, COUNT(*) FROM orders WHERE shop_id = $1 AND referrer_id IS NOT NULL
         GROUP BY customer_id HAVING COUNT(*) > 1",
    )
    .bind(shop)
    .fetch_all(&db.pool)
    .await?;
    for (member, times) in referred_twice {
        findings.push(format!("member {member}: credited as referred {times} times"));
    }
    Ok(())
}

/// Every code bought with points spent them in exactly one ledger row of
/// its member, for its cost, and every such row names a code. Rows written
/// before redemption rows named their code (no note) are matched by count:
/// per member, reward and cost, as many such rows as codes no row names.
async fn codes(db: &Db, shop: &str, findings: &mut Vec<String>) -> Result<()> {
    type Key = (String, String, i64);
    let codes: Vec<(String, String, String, i64, i64)> = sqlx::query_as(
        "SELECT r.code, r.customer_id, r.reward_id, r.points_spent,
                (SELECT COUNT(*) FROM ledger l WHERE l.shop_id = r.shop_id AND l.customer_id = r.customer_id
                 AND l.reason = 'redeem' AND l.note = r.code AND l.delta = -r.points_spent) AS rows_for_it
         FROM redemptions r WHERE r.shop_id = $1 AND r.points_spent > 0",
    )
    .bind(shop)
    .fetch_all(&db.pool)
    .await?;
    let mut unnamed_codes: HashMap<Key, i64> = HashMap::new();
    for (code, customer, reward, spent, times) in codes {
        match times {
            1 => {}
            0 => *unnamed_codes.entry((customer, reward, spent)).or_default() += 1,
            _ => findings.push(format!("code {code}: its {spent} points were spent by {times} ledger rows")),
        }
    }
    let unnamed_rows: Vec<(String, Option<String>, i64, i64)> = sqlx::query_as(
        "SELECT customer_id, reward_id, -delta, COUNT(*) FROM ledger
         WHERE shop_id = $1 AND reason = 'redeem' AND note IS NULL GROUP BY customer_id, reward_id, delta",
    )
    .bind(shop)
    .fetch_all(&db.pool)
    .await?;
    let mut unnamed_rows: HashMap<Key, i64> =
        unnamed_rows.into_iter().map(|(c, r, spent, n)| ((c, r.unwrap_or_default(), spent), n)).collect();
    for (key, codes) in unnamed_codes {
        let rows = unnamed_rows.remove(&key).unwrap_or(0);
        if rows != codes {
            let (member, reward, spent) = key;
            findings.push(format!(
                "member {member}: {codes} codes for {reward} ({spent} points) but {rows} ledger rows spent them"
            ));
        }
    }
    for ((member, reward, spent), rows) in unnamed_rows {
        findings.push(format!("member {member}: {rows} rows spent {spent} points on {reward} for no code"));
    }
    let orphans: Vec<(String, Option<String>)> = sqlx::query_as(
        "SELECT l.customer_id, l.note FROM ledger l WHERE l.shop_id = $1 AND l.reason = 'redeem'
         AND l.note IS NOT NULL
         AND NOT EXISTS (SELECT 1 FROM redemptions r WHERE r.shop_id = l.shop_id AND r.code = l.note
                         AND r.customer_id = l.customer_id)",
    )
    .bind(shop)
    .fetch_all(&db.pool)
    .await?;
    for (member, note) in orphans {
        findings.push(format!("member {member}: a redemption row names no code of theirs ({note:?})"));
    }
    Ok(())
}

/// A voided code that cost points gave them back in exactly one `void` row
/// of its member, for its cost; a used code gave nothing back; and every
/// `void` row names such a code.
async fn voided_codes(db: &Db, shop: &str, findings: &mut Vec<String>) -> Result<()> {
    type VoidedCode = (String, i64, Option<i64>, Option<String>, i64);
    let codes: Vec<VoidedCode> = sqlx::query_as(
        "SELECT r.code, r.points_spent, r.voided_at, r.used_by_order,
                (SELECT COUNT(*) FROM ledger l WHERE l.shop_id = r.shop_id AND l.customer_id = r.customer_id
                 AND l.reason = 'void' AND l.note = r.code AND l.delta = r.points_spent) AS rows_for_it
         FROM redemptions r WHERE r.shop_id = $1 AND r.points_spent > 0",
    )
    .bind(shop)
    .fetch_all(&db.pool)
    .await?;
    for (code, spent, voided_at, used_by, rows) in codes {
        let expected = i64::from(voided_at.is_some() && used_by.is_none());
        if rows != expected {
            findings.push(format!("code {code}: {rows} ledger rows gave back its {spent} points, expected {expected}"));
        }
    }
    let orphans: Vec<(String, Option<String>)> = sqlx::query_as(
        "SELECT l.customer_id, l.note FROM ledger l WHERE l.shop_id = $1 AND l.reason = 'void'
         AND NOT EXISTS (SELECT 1 FROM redemptions r WHERE r.shop_id = l.shop_id AND r.code = l.note
                         AND r.customer_id = l.customer_id AND r.voided_at IS NOT NULL
                         AND r.points_spent = l.delta)",
    )
    .bind(shop)
    .fetch_all(&db.pool)
    .await?;
    for (member, note) in orphans {
        findings.push(format!("member {member}: points given back for no voided code of theirs ({note:?})"));
    }
    Ok(())
}

/// Each member's ledger replayed: no expiry row took more than had
/// expired by its time (what was left of the points it expires), and no
/// credit was reversed and expired for more than it credited. Returns how
/// many members were replayed.
async fn replays(db: &Db, shop: &str, now: i64, findings: &mut Vec<String>) -> Result<usize> {
    let members: Vec<String> = sqlx::query_scalar("SELECT id FROM customers WHERE shop_id = $1 ORDER BY id")
        .bind(shop)
        .fetch_all(&db.pool)
        .await?;
    let mut conn = db.pool.acquire().await?;
    for member in &members {
        let ledger = Ledger::read(&mut conn, shop, member).await?;
        let movements = ledger.movements();
        let mut written = 0;
        for (i, m) in movements.iter().enumerate().filter(|(_, m)| m.is_expiry) {
            written -= m.delta;
            // What the replay of the rows before it said at its time: each
            // credit carries its own expiry, so later rule changes do not
            // move this.
            let due = expiry::expired_by(&movements[..i], m.at).expired;
            if written > due {
                findings.push(format!(
                    "member {member}: {written} points written as expired by {}, but only {due} had",
                    m.at
                ));
            }
        }
        let replayed = expiry::replay(movements, now);
        for lot in replayed.lots.values() {
            if lot.reversed + lot.expired > lot.credited {
                findings.push(format!(
                    "member {member}: a credit of {} was reversed for {} and expired for {}",
                    lot.credited, lot.reversed, lot.expired
                ));
            }
        }
    }
    Ok(members.len())
}
