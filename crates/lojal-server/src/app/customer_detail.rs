//! `GET .../customers/{customer}`: a member and their ledger, for the
//! merchant, with any expiry that fell due by `now` written first.

use crate::db::Db;
use crate::error::{Error, Result};
use crate::store::shops::Shop;
use crate::store::{credit, ledger, members, tier_standing};
use lojal_core::api::{CustomerDetail, TierRef};

/// The most ledger rows one answer carries, newest first.
const HISTORY_LIMIT: i64 = 500;

pub async fn customer_detail(db: &Db, shop: &Shop, customer: &str, now: i64) -> Result<CustomerDetail> {
    let (id, program) = (shop.id.as_str(), &shop.program);
    let mut conn = db.pool.acquire().await?;
    let found = members::find(&mut conn, id, customer).await?;
    let member = match found {
        Some(m) if m.next_expiry_at.is_some_and(|at| at <= now) => {
            // Given back first: the write transaction takes a connection of its own.
            drop(conn);
            let mut tx = db.begin_write().await?;
            ledger::settle(&mut tx, id, customer, program, now).await?;
            let settled = members::find(&mut tx, id, customer).await?;
            tx.commit().await?;
            conn = db.pool.acquire().await?;
            settled
        }
        other => other,
    }
    .ok_or_else(|| Error::UnknownCustomer(customer.to_owned()))?;
    let history = ledger::history(&mut conn, id, customer, HISTORY_LIMIT).await?;
    let held = tier_standing::of(&mut conn, id, program, customer, member.lifetime_points, now).await?;
    let tier = held
        .tier(&program.tiers)
        .map(|t| TierRef { id: t.id.clone(), name: t.name.clone() })
        .unwrap_or(TierRef { id: String::new(), name: String::new() });
    Ok(CustomerDetail {
        id: member.id,
        points: member.points,
        lifetime_points: member.lifetime_points,
        tier,
        referral_code: member.referral_code,
        referred_by: member.referred_by,
        ledger: history.into_iter().map(ledger::HistoryRow::view).collect(),
        credit: credit::balance(&mut conn, id, customer).await?,
    })
}
