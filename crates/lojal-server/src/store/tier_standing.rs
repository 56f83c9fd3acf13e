//! The tier a member holds under the program's `tier_period`: by lifetime
//! points from the cached figure, or over a rolling 12 months from their
//! ledger rows that count towards tiers (`lojal_core::tiers::standing`).

use crate::error::Result;
use crate::store::ledger::Reason;
use lojal_core::program::Program;
use lojal_core::tiers::{self, Counted, TierStanding};
use sqlx::{AnyConnection, Row};

pub async fn of(
    conn: &mut AnyConnection,
    shop: &str,
    program: &Program,
    customer: &str,
    lifetime_points: i64,
    now: i64,
) -> Result<TierStanding> {
    if program.tier_period.is_lifetime() {
        return Ok(TierStanding::lifetime(&program.tiers, lifetime_points));
    }
    let reasons: Vec<&str> = Reason::towards_tier().map(Reason::as_str).collect();
    let placeholders: Vec<String> = (0..reasons.len()).map(|i| format!("${}", i + 3)).collect();
    let sql = format!(
        "SELECT at, delta, reason, order_id FROM ledger WHERE shop_id = $1 AND customer_id = $2 AND reason IN ({})",
        placeholders.join(", ")
    );
    let mut query = sqlx::query(&sql).bind(shop).bind(customer);
    for reason in &reasons {
        query = query.bind(*reason);
    }
    let rows = query.fetch_all(&mut *conn).await?;
    let mut read = Vec::with_capacity(rows.len());
    for row in rows {
        let reason: String = row.try_get("reason")?;
        let order_id: Option<String> = row.try_get("order_id")?;
        read.push((row.try_get::<i64, _>("at")?, row.try_get::<i64, _>("delta")?, reason, order_id));
    }
    let counted: Vec<Counted<'_>> = read
        .iter()
        .map(|(at, delta, reason, order_id)| Counted {
            at: *at,
            delta: *delta,
            order_id: order_id.as_deref(),
            is_refund: reason == Reason::Refund.as_str(),
        })
        .collect();
    Ok(tiers::standing(&program.tiers, program.tier_period, lifetime_points, &counted, now, &program.zone()))
}
