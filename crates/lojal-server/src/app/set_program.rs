//! The merchant replaces the shop's loyalty program (`PUT
//! .../program`, `lojal-server shop program`).

use crate::db::Db;
use crate::error::Result;
use crate::store::shops::{self, Shop};
use lojal_core::program::Program;

/// Checks `program` and makes it `shop`'s. In a write transaction, so that
/// the widget's kept views (which read as much as the program shows) and
/// other servers hear of it; the caller forgets its own copy of the shop.
pub async fn set(db: &Db, shop: &Shop, program: &Program) -> Result<()> {
    // The program earns in the shop's currency: a rate for it is a mistake.
    if program.rates.contains_key(&shop.currency) {
        return Err(lojal_core::Error::InvalidProgram(format!(
            "rates: {} is the shop's own currency, which needs no rate",
            shop.currency
        ))
        .into());
    }
    program.validate()?;
    let mut tx = db.begin_write().await?;
    tx.changes_shop();
    shops::set_program(&mut tx, &shop.id, program).await?;
    tx.commit().await
}
