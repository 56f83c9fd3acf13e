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
    // In the order written: a credit comes before what takes it back.
    let sql = format!(
        "SELECT at, delta, reason, order_id FROM ledger WHERE shop_id = $1 AND customer_id = $2 AND reason IN ({})
         ORDER BY id",
        placeholders.join(", ")
    );
    let mut query = sqlx::query(&sql).bind(shop).bind(customer);
    for reason in &reasons {
        query = query.bind(*reason);
    }
    let rows = query.fetch_all(&mut *conn).await?;
    // Each row's lot as the ledger keys it (`LotKey`): the order and the
    // kind of points, so a bonus taken back folds into the bonus.
    let mut read = Vec::with_capacity(rows.len());
    for row in rows {
        let reason: String = row.try_get("reason")?;
        let order_id: Option<String> = row.try_get("order_id")?;
        let delta: i64 = row.try_get("delta")?;
        let lot = order_id.map(|order| {
            let kind = if reason == Reason::Refund.as_str() { Reason::Earn.as_str() } else { reason.as_str() };
            format!("{kind}:{order}")
        });
        read.push((row.try_get::<i64, _>("at")?, delta, lot));
    }
    let counted: Vec<Counted<'_>> = read
        .iter()
        .map(|(at, delta, lot)| Counted {
            at: *at,
            delta: *delta,
            lot: lot.as_deref(),
            takes_back: *delta < 0 && lot.is_some(),
        })
        .collect();
    Ok(tiers::standing(&program.tiers, program.tier_period, lifetime_points, &counted, now, &program.zone()))
}
