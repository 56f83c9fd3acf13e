//! The merchant's checkout uses a member's store credit
//! (`POST .../customers/{customer}/credit/spend`).

use crate::db::Db;
use crate::error::{Error, Result};
use crate::store::credit::{self, Spent};
use crate::store::shops::Shop;
use crate::store::{ledger, members};
use lojal_core::cashback::CreditSpendRequest;
use lojal_core::identity::CustomerId;

/// Spends `request.amount` of `customer`'s credit, once per spend id;
/// whether it was spent now or before, and the credit left.
pub async fn spend(
    db: &Db,
    shop: &Shop,
    customer: &str,
    request: &CreditSpendRequest,
    now: i64,
) -> Result<(Spent, i64)> {
    request.validate()?;
    let customer = &CustomerId::parse(customer)?;
    let mut tx = db.begin_write().await?;
    if members::find(&mut tx, &shop.id, customer.as_str()).await?.is_none() {
        return Err(Error::UnknownCustomer(customer.as_str().to_owned()));
    }
    // The member first, as every move of their balances orders itself.
    ledger::lock_member(&mut tx, &shop.id, customer.as_str()).await?;
    let spent = credit::spend(&mut tx, &shop.id, customer.as_str(), &request.id, request.amount, now).await?;
    let balance = credit::balance(&mut tx, &shop.id, customer.as_str()).await?;
    tx.commit().await?;
    Ok((spent, balance))
}
