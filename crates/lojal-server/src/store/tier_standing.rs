//! The tier a member holds under the program's `tier_period`: by lifetime
//! points from the cached figure, or over a rolling 12 months from their
//! ledger rows that count towards tiers (`lojal_core::tiers::standing`).

use crate::error::Result;
use crate::store::ledger::Reason;
use lojal_core::program::Program;
use lojal_core::tiers::{self, Counted, TierStanding};
use sqlx::{AnyConnection, Row};

/// A ledger row that counts towards the tier, with its lot as the ledger
/// keys it (`LotKey`): the order and the kind of points, so a bonus taken
/// back folds into the bonus.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TierRow {
    pub at: i64,
    pub delta: i64,
    pub lot: Option<String>,
}

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
    let rows = rows(conn, shop, customer).await?;
    Ok(standing(program, lifetime_points, &rows, now))
}

/// The tier held at `now`, from the rows [`rows`] read (none are needed
/// for tiers by lifetime points).
pub fn standing(program: &Program, lifetime_points: i64, rows: &[TierRow], now: i64) -> TierStanding {
    if program.tier_period.is_lifetime() {
        return TierStanding::lifetime(&program.tiers, lifetime_points);
    }
    let counted: Vec<Counted<'_>> = rows
        .iter()
        .map(|row| Counted {
            at: row.at,
            delta: row.delta,
            lot: row.lot.as_deref(),
            takes_back: row.delta < 0 && row.lot.is_some(),
        })
        .collect();
    tiers::standing(&program.tiers, program.tier_period, lifetime_points, &counted, now, &program.zone())
}

/// The member's ledger rows that count towards the tier, in the order
/// written: a credit comes before what takes it back.
pub async fn rows(conn: &mut AnyConnection, shop: &str, customer: &str) -> Result<Vec<TierRow>> {
    let reasons: Vec<&str> = Reason::towards_tier().map(Reason::as_str).collect();
    let placeholders: Vec<String> = (0..reasons.len()).map(|i| format!("${}", i + 3)).collect();
    let sql = format!(
        "SELECT at, delta, reason, order_id FROM ledger WHERE shop_id = $1 AND customer_id = $2 AND reason IN ({})
         ORDER BY id",
        placeholders.join(", ")
    );
    let mut query = sqlx::query(&sql).bind(shop).bind(customer);
    for reason in &reasons {
        query = query.bind(*reason);
    }
    let mut read = Vec::new();
    for row in query.fetch_all(&mut *conn).await? {
        let reason: String = row.try_get("reason")?;
        let order_id: Option<String> = row.try_get("order_id")?;
        let lot = order_id.map(|order| {
            let kind = if reason == Reason::Refund.as_str() { Reason::Earn.as_str() } else { reason.as_str() };
            format!("{kind}:{order}")
        });
        read.push(TierRow { at: row.try_get("at")?, delta: row.try_get("delta")?, lot });
    }
    Ok(read)
}
