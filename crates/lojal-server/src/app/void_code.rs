//! A checkout cancels a discount code (`POST .../codes/{code}/void`): the
//! points it cost go back.

use crate::db::Db;
use crate::error::{Error, Result};
use crate::store::ledger::{self, Entry, Reason};
use crate::store::redemptions::{self, StoredCode};
use crate::store::shops::Shop;

/// Voids `code` (canonical form), giving its points back to its member in
/// a `void` ledger row naming it. Voiding a void code again changes
/// nothing; a used code cannot be voided.
pub async fn void(db: &Db, shop: &Shop, code: &str, now: i64) -> Result<StoredCode> {
    let (shop, program) = (shop.id.as_str(), &shop.program);
    let mut tx = db.begin_write().await?;
    let found = redemptions::find(&mut tx, shop, code).await?.ok_or_else(|| Error::CodeNotFound(code.to_owned()))?;
    if let Some(order_id) = found.used_by_order {
        return Err(Error::CodeUsed { code: code.to_owned(), order_id });
    }
    if found.voided_at.is_some() {
        return Ok(found);
    }
    // The member first: their lock orders this void after any spend of
    // theirs in flight, as every balance move is ordered.
    ledger::lock_member(&mut tx, shop, &found.customer).await?;
    let (stored, voided_now) = redemptions::void(&mut tx, shop, code, now).await?;
    if voided_now {
        if stored.points_spent > 0 {
            let entry = Entry::new(Reason::Void, stored.points_spent, now).reward(&stored.reward_id).note(code);
            ledger::post(&mut tx, shop, &stored.customer, program, entry, now).await?;
        }
        redemptions::record_voided(&mut tx, shop, &stored, now).await?;
    }
    tx.commit().await?;
    Ok(stored)
}
